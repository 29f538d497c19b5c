// The ports the control plane listens on inside the node (each twin has its own namespace, so
// these never collide with the host's or another twin's). Upstream's defaults where there are some.
export const ports = {
  etcdClient: 2379,
  etcdPeer: 2380,
  apiserver: 6443,
  /** The node's kubelet endpoint (twin-kubelet-stream; kwok's server when that is not built). */
  kubelet: 10250,
  /** kwok's own server (healthz, metrics) when it does not serve the kubelet endpoint. */
  kwok: 10247,
  controllerManager: 10257,
  scheduler: 10259,
  kubeProxyHealthz: 10256,
} as const;
