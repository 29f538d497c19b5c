// The httpbin sample on an existing cluster: created only where it is missing (object by object,
// labelled as the suite's), and afterwards only what was created here is deleted. An httpbin the
// user deployed is used as it is and never touched.
import { create, deleteObject, describeTarget, get, refOf, waitForDeployment, type KubeClient, type ObjectRef } from '../kube';
import { httpbinObjects } from './httpbin-sample';

export { httpbinObjects };

export interface HttpbinDeployment {
  /** What this run created, in creation order. */
  created: ObjectRef[];
  /** What was there already and is left alone. */
  found: ObjectRef[];
}

/** Creates the sample's objects that are missing and waits for the Deployment when it created it. */
export async function ensureHttpbin(kube: KubeClient, namespace: string, budgetMs: number): Promise<HttpbinDeployment> {
  const outcome: HttpbinDeployment = { created: [], found: [] };
  try {
    for (const object of httpbinObjects(namespace)) {
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
