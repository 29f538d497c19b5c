// Gives every Service of type LoadBalancer an ingress address, as k3s's ServiceLB does: the node
// address (kube-proxy then serves the Service's port there), and takes it away when the Service
// stops being a LoadBalancer. Runs in the twin's own process over @kubernetes/client-node.
import { CoreV1Api, makeInformer, type KubeConfig, type V1Service } from '@kubernetes/client-node';

export interface LoadBalancerController {
  stop(): Promise<void>;
}

/** The status.loadBalancer a Service should have, or undefined when it already has it. */
export function wantedLoadBalancerStatus(service: V1Service, address: string): { ingress?: { ip: string; ipMode: string }[] } | undefined {
  const current = service.status?.loadBalancer?.ingress ?? [];
  if (service.spec?.type === 'LoadBalancer') {
    const fits = current.length === 1 && current[0]?.ip === address && current[0]?.ipMode === 'VIP';
    return fits ? undefined : { ingress: [{ ip: address, ipMode: 'VIP' }] };
  }
  return current.length > 0 ? {} : undefined;
}

export async function startLoadBalancerController(kubeConfig: KubeConfig, address: string, log: (line: string) => void): Promise<LoadBalancerController> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const informer = makeInformer<V1Service>(kubeConfig, '/api/v1/services', () => core.listServiceForAllNamespaces());
  let stopped = false;

  const reconcile = async (service: V1Service): Promise<void> => {
    const wanted = wantedLoadBalancerStatus(service, address);
    if (!wanted || stopped) return;
    const { name, namespace } = service.metadata ?? {};
    if (!name || !namespace) return;
    try {
      await core.patchNamespacedServiceStatus({
        name,
        namespace,
        body: [{ op: 'add', path: '/status/loadBalancer', value: wanted }],
      });
    } catch (error) {
      // Gone meanwhile, or a conflict: the informer brings the next version and we try again.
      if (!stopped) log(`loadbalancer: could not set the status of service ${namespace}/${name}: ${(error as Error).message}`);
    }
  };
  informer.on('add', (s) => void reconcile(s));
  informer.on('update', (s) => void reconcile(s));
  informer.on('error', () => {
    // The informer stops on a watch error; start it again while the twin runs.
    if (!stopped) setTimeout(() => void informer.start().catch(() => undefined), 1_000).unref();
  });
  await informer.start();
  return {
    async stop() {
      stopped = true;
      await informer.stop();
    },
  };
}
