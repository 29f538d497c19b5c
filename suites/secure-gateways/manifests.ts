// The doc's objects (Secure Gateways, HTTPS), per profile and networking API version:
// `file-mount` is the doc verbatim (secrets mounted into the gateway pod, file paths in the
// Gateway); `sds` is the same flow with credentialName (secrets served by istiod over SDS).
import type { DocChain } from '../../helpers/pki';
import { secretObject, type KubeObject } from '../../helpers/kube';
import { httpbinVirtualService } from '../runtime/httpbin-route';
import { FILE_MOUNT, ISTIO_DEFAULTS, SDS_CA, type NetworkingVersion, type Profile, type TlsMode } from '../../helpers/istio/conventions';

export type { NetworkingVersion, Profile, TlsMode };
export { FILE_MOUNT };

/** Where the doc's objects go and what they are called. */
export interface DocNames {
  host: string;
  /** The gateway pod's namespace: the doc's secrets must live there. */
  gatewayNamespace: string;
  /** Where the Gateway and VirtualService live (the doc: the default namespace). */
  appNamespace: string;
  gatewayName: string;
  virtualServiceName: string;
  /** The `istio: …` selector value of the ingress gateway. */
  gatewaySelector: string;
}

export const DOC_NAMES: Omit<DocNames, 'host'> = {
  gatewayNamespace: ISTIO_DEFAULTS.namespace,
  appNamespace: 'default',
  gatewayName: 'httpbin-gateway',
  virtualServiceName: 'httpbin',
  gatewaySelector: ISTIO_DEFAULTS.ingressSelector,
};

// The sds profile's credential; its client CA for MUTUAL follows istiod's `-cacert` convention.
export const SDS = { credential: 'httpbin-credential', caKey: SDS_CA.key } as const;

export function serverSecretName(profile: Profile): string {
  return profile === 'file-mount' ? FILE_MOUNT.certSecret : SDS.credential;
}

export function caSecretName(profile: Profile): string {
  return profile === 'file-mount' ? FILE_MOUNT.caSecret : `${SDS.credential}${SDS_CA.secretSuffix}`;
}

/** The key under which the CA secret holds the chain: the doc's file name, or istiod's `cacert`. */
export function caSecretKey(profile: Profile): string {
  return profile === 'file-mount' ? FILE_MOUNT.caFile : SDS.caKey;
}

/** `kubectl create -n istio-system secret tls istio-ingressgateway-certs --key … --cert …` */
export function serverSecret(profile: Profile, names: DocNames, chain: DocChain): KubeObject {
  const meta = { name: serverSecretName(profile), namespace: names.gatewayNamespace };
  return secretObject(meta, 'kubernetes.io/tls', { 'tls.crt': chain.server.certPem, 'tls.key': chain.server.keyPem });
}

/** `kubectl create -n istio-system secret generic istio-ingressgateway-ca-certs --from-file=ca-chain.cert.pem` */
export function caSecret(profile: Profile, names: DocNames, chain: DocChain): KubeObject {
  return secretObject({ name: caSecretName(profile), namespace: names.gatewayNamespace }, 'Opaque', { [caSecretKey(profile)]: chain.caChainPem });
}

/** The doc's Gateway: one HTTPS server on 443 for the host, SIMPLE first, MUTUAL after. */
export function gateway(profile: Profile, mode: TlsMode, names: DocNames, apiVersion: NetworkingVersion): KubeObject {
  const tls =
    profile === 'file-mount'
      ? {
          mode,
          serverCertificate: `${FILE_MOUNT.certDir}/tls.crt`,
          privateKey: `${FILE_MOUNT.certDir}/tls.key`,
          ...(mode === 'MUTUAL' ? { caCertificates: `${FILE_MOUNT.caDir}/${FILE_MOUNT.caFile}` } : {}),
        }
      : { mode, credentialName: SDS.credential };
  return {
    apiVersion,
    kind: 'Gateway',
    metadata: { name: names.gatewayName, namespace: names.appNamespace },
    spec: {
      selector: { istio: names.gatewaySelector },
      servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, tls, hosts: [names.host] }],
    },
  } as KubeObject;
}

/** The doc's VirtualService: /status and /delay of the host to httpbin:8000. */
export function virtualService(names: DocNames, apiVersion: NetworkingVersion): KubeObject {
  return httpbinVirtualService({ name: names.virtualServiceName, namespace: names.appNamespace, host: names.host, gateway: names.gatewayName }, apiVersion);
}
