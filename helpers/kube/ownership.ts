// Which objects are the suite's: every object it creates carries a managed-by label and the id of
// the run; what lacks the managed-by label belongs to someone else and is never deleted or
// overwritten unless the caller says so explicitly.
import { randomBytes } from 'node:crypto';
import { copyJson, describeTarget, type KubeObject, type ObjectMeta, type Target } from './types';

export const SUITE = 'istio-gateway-conformance';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const RUN_LABEL = `${SUITE}/run`;
/** The field manager of server-side apply and of every write. */
export const FIELD_MANAGER = SUITE;

const labelValue = /^([a-z0-9]([-a-z0-9_.]{0,61}[a-z0-9])?)$/i;

/** A run id that sorts by time and is a valid label value: `20250131-142501-3fa2c1`. */
export function newRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Throws when a run id cannot be a label value. */
export function checkRunId(runId: string): string {
  if (!labelValue.test(runId)) {
    throw new Error(`run id ${JSON.stringify(runId)} is not a valid label value (at most 63 letters, digits, '-', '_', '.')`);
  }
  return runId;
}

/** The labels every object of the run carries. */
export function ownershipLabels(runId: string): Record<string, string> {
  return { [MANAGED_BY_LABEL]: SUITE, [RUN_LABEL]: checkRunId(runId) };
}

/** A label selector for the suite's objects, of one run or of all runs. */
export function ownedSelector(runId?: string): string {
  return runId ? `${MANAGED_BY_LABEL}=${SUITE},${RUN_LABEL}=${checkRunId(runId)}` : `${MANAGED_BY_LABEL}=${SUITE}`;
}

/** A copy of the object with the run's labels added (the caller's object is left as it was). */
export function withOwnership<T extends KubeObject>(object: T, runId: string): T & { metadata: ObjectMeta } {
  const copy = copyJson(object) as T & { metadata: ObjectMeta };
  copy.metadata = { ...copy.metadata, labels: { ...copy.metadata?.labels, ...ownershipLabels(runId) } };
  return copy;
}

/** True when the suite made the object (of any run). */
export function isOwned(object: KubeObject): boolean {
  return object.metadata?.labels?.[MANAGED_BY_LABEL] === SUITE;
}

/** The run that made the object, if the suite made it. */
export function runOf(object: KubeObject): string | undefined {
  return isOwned(object) ? object.metadata?.labels?.[RUN_LABEL] : undefined;
}

/** A write or delete refused because the object is not the suite's. */
export class OwnershipError extends Error {
  override name = 'OwnershipError';
  constructor(
    readonly verb: string,
    readonly target: Target,
  ) {
    super(
      `refusing to ${verb} ${describeTarget(target)}: it lacks the label ${MANAGED_BY_LABEL}=${SUITE}, so the suite did not create it; ` +
        `pass adoptUnowned to ${verb} it anyway, or back it up first with backupAndReplace`,
    );
  }
}

/** Throws OwnershipError unless the object is the suite's or the caller adopts it explicitly. */
export function assertOwned(verb: string, target: Target, existing: KubeObject, adoptUnowned = false): void {
  if (!adoptUnowned && !isOwned(existing)) throw new OwnershipError(verb, target);
}
