// A prepared target: where the suites find the cluster (a kubeconfig) and the gateway, and how to
// give it back. The suites never ask which target they run on.
import type { Settings } from '../helpers/config';
import { startKindTarget, type TargetDecision } from './kind';
import { REAL_KUBELET_FILE_MOUNT_WAIT_MS } from '../helpers/file-mount-wait';
import { connect } from '../helpers/kube';
import { startExistingTarget } from './existing/index';
import { deployHttpbin, startTwinTarget } from './twin/index';
import { DOC_GATEWAY_ENV, TWIN_SUITE_ENV } from './twin/paths';

export interface PreparedTarget {
  name: TargetDecision['target'];
  kubeconfig: string;
  /** host:port of the gateway's HTTPS port when the target knows it better than the Service does. */
  ingressAddress?: string;
  istioVersion?: string;
  tools: Record<string, string>;
  /** Settings the suites need on this target (the existing target's context and gateway). */
  suiteEnv?: Record<string, string>;
  /**
   * Before a repeated run (--repeat): puts back what the previous run's cleanup removed. Only the
   * httpbin sample the suite deployed (SG-X2 deletes it); kind's httpbin is not the suite's
   * (applied unlabelled by provisioning), so SG-X2 leaves it and kind needs nothing.
   */
  prepareNextRun?(): Promise<void>;
  release(): Promise<void>;
}

/** On a real kubelet (kind, existing), the file-mount profile waits as long as a mounted Secret can take (helpers/file-mount-wait.ts). */
export function realKubeletEnv(settings: Pick<Settings, 'FILE_MOUNT_WAIT_MS'>): { FILE_MOUNT_WAIT_MS: string } {
  return { FILE_MOUNT_WAIT_MS: String(settings.FILE_MOUNT_WAIT_MS ?? REAL_KUBELET_FILE_MOUNT_WAIT_MS) };
}

export async function prepareTarget(decision: TargetDecision, settings: Settings, log: (line: string) => void, keep: boolean): Promise<PreparedTarget> {
  switch (decision.target) {
    case 'kind': {
      const cluster = await startKindTarget(settings, { log, keep });
      return {
        name: 'kind',
        kubeconfig: cluster.kubeconfig,
        ingressAddress: cluster.ingressAddress,
        istioVersion: cluster.istioVersion,
        tools: { kind: settings.KIND_VERSION ?? 'pinned', nodeImage: cluster.nodeImage },
        suiteEnv: { ...DOC_GATEWAY_ENV, ...realKubeletEnv(settings) },
        release: () => cluster.teardown(),
      };
    }
    case 'existing': {
      const existing = await startExistingTarget(settings, log);
      return {
        name: 'existing',
        kubeconfig: existing.kubeconfig,
        istioVersion: existing.istio.version,
        tools: {},
        suiteEnv: { ...existing.suiteEnv, ...realKubeletEnv(settings) },
        prepareNextRun: () => existing.redeployHttpbin(),
        release: () => existing.release(),
      };
    }
    case 'twin': {
      const twin = await startTwinTarget(settings, log);
      return {
        name: 'twin',
        kubeconfig: twin.kubeconfig,
        istioVersion: twin.istioVersion,
        tools: { kubernetes: twin.kubernetesVersion },
        // npm test starts jest with these before the twin is up (scripts/conformance.ts).
        suiteEnv: TWIN_SUITE_ENV,
        prepareNextRun: async () => deployHttpbin(await connect({ kubeconfigPath: twin.kubeconfig })),
        release: () => twin.release(),
      };
    }
  }
}
