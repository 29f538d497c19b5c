// The VirtualService both Secure Gateways tasks give: /status and /delay of the host, through the
// named Gateway, to the httpbin sample's port 8000.
import type { KubeObject } from '../../helpers/kube';
import type { NetworkingVersion } from '../../helpers/istio/conventions';

export function httpbinVirtualService(meta: { name: string; namespace: string; host: string; gateway: string }, apiVersion: NetworkingVersion): KubeObject {
  return {
    apiVersion,
    kind: 'VirtualService',
    metadata: { name: meta.name, namespace: meta.namespace },
    spec: {
      hosts: [meta.host],
      gateways: [meta.gateway],
      http: [
        {
          match: [{ uri: { prefix: '/status' } }, { uri: { prefix: '/delay' } }],
          route: [{ destination: { port: { number: 8000 }, host: 'httpbin' } }],
        },
      ],
    },
  } as KubeObject;
}
