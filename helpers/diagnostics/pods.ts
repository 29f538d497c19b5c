// Which pods a bundle looks into: the gateway pod the step used (or a Running one of the
// gateway's), and a Running istiod. Each is looked up once per bundle and shared by its parts.
import { list, type KubeClient, type KubeObject } from '../kube';

type Pod = KubeObject & { status?: { phase?: string } };

export interface PodRef {
  namespace: string;
  name: string;
}

function runningFirst(pods: Pod[]): Pod | undefined {
  return pods.find((pod) => pod.status?.phase === 'Running') ?? pods[0];
}

export async function findGatewayPod(kube: KubeClient, gateway: { namespace: string; selector: string; pod?: string }): Promise<PodRef> {
  if (gateway.pod) return { namespace: gateway.namespace, name: gateway.pod };
  const pod = runningFirst(await list<Pod>(kube, { apiVersion: 'v1', kind: 'Pod', namespace: gateway.namespace, labels: { istio: gateway.selector } }));
  if (!pod?.metadata?.name) throw new Error(`no gateway pod with istio=${gateway.selector} in ${gateway.namespace}`);
  return { namespace: gateway.namespace, name: pod.metadata.name };
}

export async function findIstiodPod(kube: KubeClient, namespace?: string): Promise<PodRef> {
  let where = namespace;
  if (!where) {
    // As the existing target finds istiod: its Deployment, labelled app=istiod, in any namespace.
    const deployments = await list(kube, { apiVersion: 'apps/v1', kind: 'Deployment', labels: { app: 'istiod' } });
    where = deployments[0]?.metadata?.namespace;
    if (!where) throw new Error('no istiod Deployment (label app=istiod) in any namespace');
  }
  const pod = runningFirst(await list<Pod>(kube, { apiVersion: 'v1', kind: 'Pod', namespace: where, labels: { app: 'istiod' } }));
  if (!pod?.metadata?.name) throw new Error(`no istiod pod (label app=istiod) in ${where}`);
  return { namespace: where, name: pod.metadata.name };
}

/** A lookup run at most once, however many parts ask for it. */
export function once<T>(lookup: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= lookup());
}
