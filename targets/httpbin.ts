// The one way the targets deploy the httpbin sample (the twin and an existing cluster; kind's plan
// runs the doc's `kubectl apply` of the same file, so its dry run shows the command): read from
// fixtures/httpbin, Istio's current one (go-httpbin) or the one of the doc's time (the Python
// httpbin, whose 418 is ASCII art), labelled as the suite's so SG-X2 removes it as the doc does.
// On a cluster the run made (the twin) the sample is applied as asked for (a rehearsal swaps in
// the old one); on the user's cluster only missing objects are created, and afterwards only what
// was created here is deleted: an httpbin the user deployed is used as it is and never touched.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { apply, create, deleteObject, describeTarget, get, refOf, waitForDeployment, type KubeClient, type KubeObject, type ObjectRef } from '../helpers/kube';

const manifests = {
  current: path.resolve(__dirname, '../fixtures/httpbin/httpbin.yaml'),
  old: path.resolve(__dirname, '../fixtures/httpbin/httpbin-old.yaml'),
};
/** Where the targets deploy Istio's samples (`kubectl apply -f samples/httpbin/httpbin.yaml`) and keep the run's lock. */
export const SAMPLE_NAMESPACE = 'default';

export type HttpbinSample = keyof typeof manifests;

/** The sample's objects (ServiceAccount, Service, Deployment) placed in the namespace. */
export function httpbinObjects(namespace: string, sample: HttpbinSample = 'current'): KubeObject[] {
  return parseAllDocuments(readFileSync(manifests[sample], 'utf8'))
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null)
    .map((object) => ({ ...object, metadata: { ...object.metadata, namespace } }));
}

/** On a cluster this run made: the sample applied as asked for (replacing the other sample), then waited for. */
export async function applyHttpbin(kube: KubeClient, namespace: string, budgetMs: number, sample: HttpbinSample = 'current'): Promise<void> {
  for (const object of httpbinObjects(namespace, sample)) await apply(kube, object);
  await waitForDeployment(kube, { namespace, name: 'httpbin' }, budgetMs);
}

export interface HttpbinDeployment {
  /** What this run created, in creation order. */
  created: ObjectRef[];
  /** What was there already and is left alone. */
  found: ObjectRef[];
}

/** Creates the sample's objects that are missing and waits for the Deployment when it created it. */
export async function ensureHttpbin(kube: KubeClient, namespace: string, budgetMs: number, sample: HttpbinSample = 'current'): Promise<HttpbinDeployment> {
  const outcome: HttpbinDeployment = { created: [], found: [] };
  try {
    for (const object of httpbinObjects(namespace, sample)) {
      const ref = refOf(object);
      if (await get(kube, ref)) {
        outcome.found.push(ref);
      } else {
        await create(kube, object);
        outcome.created.push(ref);
      }
    }
    if (outcome.created.some((ref) => ref.kind === 'Deployment')) await waitForDeployment(kube, { namespace, name: 'httpbin' }, budgetMs);
  } catch (error) {
    await removeHttpbin(kube, outcome.created);
    throw error;
  }
  return outcome;
}

/** Deletes what ensureHttpbin created (newest first); an object that is gone already (SG-X2) is fine. Returns one line per object. */
export async function removeHttpbin(kube: KubeClient, created: ObjectRef[]): Promise<string[]> {
  const done: string[] = [];
  for (const ref of [...created].reverse()) {
    // deleteObject refuses an object without the suite's label: one that replaced ours meanwhile stays.
    const outcome = await deleteObject(kube, ref);
    done.push(`${describeTarget(ref)} ${outcome === 'deleted' ? 'deleted' : 'already gone'}`);
  }
  return done;
}
