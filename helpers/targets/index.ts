// A prepared target: where the suites find the cluster (a kubeconfig) and the gateway, and how to
// give it back. The suites never ask which target they run on.
import { UsageError, type Settings } from '../config';
import { startKindTarget, type TargetDecision } from '../cluster';
import { startTwinTarget } from './twin';

export interface PreparedTarget {
  name: TargetDecision['target'];
  kubeconfig: string;
  /** host:port of the gateway's HTTPS port when the target knows it better than the Service does. */
  ingressAddress?: string;
  istioVersion?: string;
  tools: Record<string, string>;
  release(): Promise<void>;
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
        release: () => cluster.teardown(),
      };
    }
    case 'existing': {
      if (!settings.KUBECONFIG) throw new UsageError('TARGET=existing needs KUBECONFIG: the kubeconfig of the test cluster to use');
      return { name: 'existing', kubeconfig: settings.KUBECONFIG, tools: {}, release: async () => undefined };
    }
    case 'twin': {
      const twin = await startTwinTarget(settings, log);
      return { name: 'twin', kubeconfig: twin.kubeconfig, istioVersion: twin.istioVersion, tools: { kubernetes: twin.kubernetesVersion }, release: () => twin.release() };
    }
  }
}
