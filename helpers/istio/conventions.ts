// Istio's own names and conventions for ingress TLS, which every catalogue meets as they are: the
// default install's namespace and gateway label, the paths istioctl's ingress chart mounts the
// file-mount secrets at, and istiod's convention for a credential's separate client-CA secret.
// A catalogue's own names (its secrets, Gateway, VirtualService) live in its package, suites/<id>/.

/** How a Gateway gets its certificates: files mounted into the gateway pod, or credentialName (istiod's SDS). */
export type Profile = 'file-mount' | 'sds';
export type TlsMode = 'SIMPLE' | 'MUTUAL';
export type NetworkingVersion = 'networking.istio.io/v1' | 'networking.istio.io/v1beta1' | 'networking.istio.io/v1alpha3';

/** istioctl's default install: the namespace, the ingress gateway's Service and its `istio:` label. */
export const ISTIO_DEFAULTS = {
  namespace: 'istio-system',
  ingressService: 'istio-ingressgateway',
  ingressSelector: 'ingressgateway',
} as const;

// The secrets istioctl's ingress chart (manifests/charts/gateways/istio-ingress) mounts, optional,
// at these paths: the 2018 doc's file-mount gateway names them in its Gateway's tls fields.
export const FILE_MOUNT = {
  certSecret: 'istio-ingressgateway-certs',
  caSecret: 'istio-ingressgateway-ca-certs',
  certDir: '/etc/istio/ingressgateway-certs',
  caDir: '/etc/istio/ingressgateway-ca-certs',
  caFile: 'ca-chain.cert.pem',
} as const;

// credentialName: the client CA of MUTUAL in a secret of its own is `<credential>-cacert`, under
// the key `cacert` (pilot/pkg/credentials/kube/secrets.go).
export const SDS_CA = { secretSuffix: '-cacert', key: 'cacert' } as const;
