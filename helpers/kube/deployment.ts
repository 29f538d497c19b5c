// Waits for a Deployment the way `kubectl rollout status` does: the controller has seen the
// latest spec, every replica runs the new template, and all of them are available.
import type { V1Deployment } from '@kubernetes/client-node';
import { eventually } from '../eventually';
import type { KubeClient } from './connect';
import { get } from './objects';

export interface Rollout {
  ready: boolean;
  /** What is still awaited, or that it is done, in kubectl's words. */
  summary: string;
}

/** Whether the rollout is complete (pure: from the Deployment's status alone). */
export function rolloutStatus(deployment: V1Deployment | undefined): Rollout {
  if (!deployment) return { ready: false, summary: 'the Deployment does not exist' };
  const generation = deployment.metadata?.generation ?? 0;
  const status = deployment.status ?? {};
  if ((status.observedGeneration ?? 0) < generation) {
    return { ready: false, summary: `waiting for the controller to observe generation ${generation} (seen ${status.observedGeneration ?? 0})` };
  }
  const stalled = status.conditions?.find((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded');
  if (stalled) return { ready: false, summary: `exceeded its progress deadline: ${stalled.message ?? ''}`.trim() };
  const wanted = deployment.spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (updated < wanted) return { ready: false, summary: `${updated} of ${wanted} new replicas updated` };
  if (total > updated) return { ready: false, summary: `${total - updated} old replicas pending termination` };
  if (available < updated) return { ready: false, summary: `${available} of ${updated} updated replicas available` };
  return { ready: true, summary: `${available} of ${wanted} replicas updated and available` };
}

/** Waits until the Deployment has rolled out; on timeout the error says what was still missing. */
export async function waitForDeployment(
  kube: KubeClient,
  target: { namespace: string; name: string },
  budgetMs = 120_000,
): Promise<V1Deployment> {
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', ...target };
  return (await eventually(
    () => get<V1Deployment & { apiVersion: string; kind: string }>(kube, ref),
    (deployment) => rolloutStatus(deployment).ready,
    {
      budgetMs,
      converge: 1,
      initialDelayMs: 100,
      maxDelayMs: 2_000,
      expectation: `Deployment ${target.namespace}/${target.name} rolled out`,
      render: (deployment) => rolloutStatus(deployment).summary,
    },
  ))!;
}
