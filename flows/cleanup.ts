// `npm run cleanup`: what an interrupted run left on a cluster, and nothing else. First the backup
// ledgers runs left on disk (existing-ledgers.ts) are played back, newest first: objects a run
// replaced are put back as they were, objects it created are deleted. Then every object the suite
// may create (every registered catalogue's createdObjects, and the httpbin sample the targets
// deploy) is looked up by its name and deleted only when it carries the suite's managed-by label.
// Looking up by name, not listing by label, keeps the suite's RBAC free of `list secrets` in the
// gateway's namespace (which would expose istiod's CA key there); the suite writes no other names.
import path from 'node:path';
import { BackupLedger, deleteObject, describeTarget, get, isOwned, leaseState, MANAGED_BY_LABEL, OwnershipError, refOf, restore, runOf, SUITE, type KubeClient, type KubeObject, type ObjectRef } from '../helpers/kube';
import type { Lease } from '../helpers/kube/lease';
import { CATALOGUES } from '../suites/registry';
import type { CreatedObject, ObjectScope } from '../suites/runtime/catalogue-entry';
import { backupDir, dropEmptyLedgers, pendingLedgers } from '../helpers/kube/ledgers';
import { httpbinObjects, SAMPLE_NAMESPACE } from '../targets/httpbin';
import { newestNetworkingVersion } from '../helpers/istio/version';

/** The run lock's name (acquireLease's default), in the samples' namespace. */
const LOCK_NAME = 'istio-gateway-conformance-lock';

export interface CleanupOptions {
  cacheDir: string;
  gatewayNamespace: string;
  appNamespace?: string;
  /** List what would be done, change nothing. */
  dryRun?: boolean;
}

export interface CleanupOutcome {
  deleted: number;
  restored: number;
  /** Objects under the suite's names that are not the suite's, left alone. */
  left: number;
  /** One line per object, in the order handled. */
  lines: string[];
}

/** Every object the suite (the catalogues and the target's httpbin) may create, by name. */
export async function suiteObjectRefs(kube: KubeClient, scope: ObjectScope): Promise<ObjectRef[]> {
  const created = uniqueObjects(CATALOGUES.flatMap((catalogue) => catalogue.createdObjects(scope)));
  // Without Istio's CRDs there can be no Gateway or VirtualService to remove.
  const networking = created.some((object) => object.apiGroup === 'networking.istio.io') ? await newestNetworkingVersion(kube).catch(() => undefined) : undefined;
  const refs: ObjectRef[] = [];
  for (const object of created) {
    const apiVersion = object.apiGroup === '' ? 'v1' : object.apiGroup === 'networking.istio.io' ? networking : undefined;
    if (object.apiGroup !== '' && object.apiGroup !== 'networking.istio.io') throw new Error(`cleanup: no API version known for ${object.apiGroup} ${object.kind}`);
    if (apiVersion) refs.push({ apiVersion, kind: object.kind, namespace: object.namespace, name: object.name });
  }
  // The Deployment first: its pods go before the ServiceAccount they run as.
  const httpbin = httpbinObjects(scope.appNamespace).map(refOf);
  refs.push(...httpbin.filter((r) => r.kind === 'Deployment'), ...httpbin.filter((r) => r.kind !== 'Deployment'));
  return refs;
}

function uniqueObjects(objects: CreatedObject[]): CreatedObject[] {
  const seen = new Set<string>();
  return objects.filter((object) => {
    const key = `${object.apiGroup}/${object.kind}/${object.namespace}/${object.name}`;
    return !seen.has(key) && Boolean(seen.add(key));
  });
}

/** What a cleanup would do about the run lock (for --dry-run). */
export async function describeLock(kube: KubeClient): Promise<string> {
  const lease = await get<Lease & KubeObject>(kube, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: SAMPLE_NAMESPACE, name: LOCK_NAME });
  if (!lease) return 'no run holds the lock';
  const state = leaseState(lease, '', new Date());
  return state.free
    ? `would take over the expired lock of ${JSON.stringify(state.holder)} and delete it`
    : `a run holds the lock (${JSON.stringify(state.holder)}, expires in ${Math.round((state.expiresInMs ?? 0) / 1000)} s unless renewed): cleanup would refuse`;
}

const keyOf = (ref: ObjectRef) => `${ref.apiVersion.split('/')[0]}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;

export async function cleanLeftovers(kube: KubeClient, options: CleanupOptions): Promise<CleanupOutcome> {
  const outcome: CleanupOutcome = { deleted: 0, restored: 0, left: 0, lines: [] };
  const handled = new Set<string>();
  const leave = (what: string, why: string) => {
    outcome.left += 1;
    outcome.lines.push(`${options.dryRun ? 'would leave' : 'left'} ${what}: ${why}`);
  };
  const notOurs = `it lacks the label ${MANAGED_BY_LABEL}=${SUITE}, so it is not the suite's`;

  for (const ledger of pendingLedgers(options.cacheDir, kube.server)) {
    const run = path.basename(ledger.file ?? 'unknown', '.json');
    for (const entry of [...ledger.entries].reverse()) {
      handled.add(keyOf(entry.ref));
      const what = describeTarget(entry.ref);
      const current = await get(kube, entry.ref);
      if (entry.before === null && !current) {
        // created by that run and gone since: nothing to undo
      } else if (entry.before === null && !isOwned(current!)) {
        leave(what, `run ${run} created it, but the one there now: ${notOurs}`);
      } else if (options.dryRun) {
        outcome.lines.push(entry.before === null ? `would delete ${what} (created by run ${run})` : `would restore ${what} as it was before run ${run} replaced it`);
        if (entry.before === null) outcome.deleted += 1;
        else outcome.restored += 1;
      } else {
        const one = new BackupLedger();
        one.entries.push(entry);
        try {
          outcome.lines.push(...(await restore(kube, one)).map((line) => `${line} (run ${run})`));
          if (entry.before === null) outcome.deleted += 1;
          else outcome.restored += 1;
        } catch (error) {
          if (!(error instanceof OwnershipError)) throw error;
          leave(what, error.message);
        }
      }
      if (!options.dryRun) ledger.forget(entry.ref);
    }
  }
  if (!options.dryRun) dropEmptyLedgers(backupDir(options.cacheDir, kube.server));

  const scope = { gatewayNamespace: options.gatewayNamespace, appNamespace: options.appNamespace ?? SAMPLE_NAMESPACE };
  for (const ref of await suiteObjectRefs(kube, scope)) {
    if (handled.has(keyOf(ref))) continue;
    const current = await get(kube, ref);
    if (!current) continue;
    const what = describeTarget(ref);
    if (!isOwned(current)) {
      leave(what, notOurs);
      continue;
    }
    if (!options.dryRun) await deleteObject(kube, ref);
    outcome.deleted += 1;
    outcome.lines.push(`${options.dryRun ? 'would delete' : 'deleted'} ${what} (left by run ${runOf(current) ?? 'unknown'})`);
  }
  return outcome;
}
