// Writing a catalogue's objects: created, or put over an existing one that is recorded first so
// cleanup can restore it (the suite never loses an object it did not make).
import { backupAndReplace, read, type BackupLedger, type KubeClient, type KubeObject } from '../../helpers/kube';
import type { StepHandle } from './step';

/** What writing a catalogue's objects needs: the cluster, the run's ledger, when config first changed. */
export interface WriteContext {
  kube: KubeClient;
  ledger: BackupLedger;
  configChangedAt?: Date;
}

type WithSpec = KubeObject & { spec?: unknown };
type Secret = KubeObject & { type?: string; data?: Record<string, string> };

/** Writes one of the doc's secrets and reads it back (its data is compared, never printed). */
export async function writeSecret(context: WriteContext, secret: Secret): Promise<Secret> {
  context.configChangedAt ??= new Date();
  await backupAndReplace(context.kube, secret, context.ledger);
  const { namespace, name } = secret.metadata as { namespace: string; name: string };
  return read<Secret>(context.kube, { apiVersion: 'v1', kind: 'Secret', namespace, name });
}

/** Writes the object and checks the API server returned what was applied (schema-valid, admitted). */
export async function applyDocObject(context: WriteContext, step: StepHandle, object: WithSpec, expected: string): Promise<WithSpec> {
  context.configChangedAt ??= new Date();
  const stored = (await backupAndReplace(context.kube, object, context.ledger)) as WithSpec;
  const same = JSON.stringify(canonical(stored.spec)) === JSON.stringify(canonical(object.spec));
  step.expect(same, `the API server stored a different spec: ${JSON.stringify(stored.spec)}`, expected);
  return stored;
}

// Key order does not matter; the API server may add defaults, which the doc's objects do not have.
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}
