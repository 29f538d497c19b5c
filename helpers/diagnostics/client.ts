// The bundle's own view of the cluster: the run's kubeconfig and credentials with a short
// request timeout, so that an API server that does not answer costs a part's budget, not the
// 30 s the steps allow a request.
import { ApiTransport } from '../kube/transport';
import type { KubeClient } from '../kube';

export function withRequestTimeout(kube: KubeClient, requestTimeoutMs: number): KubeClient {
  return { ...kube, transport: ApiTransport.connect(kube.kubeConfig, requestTimeoutMs) };
}
