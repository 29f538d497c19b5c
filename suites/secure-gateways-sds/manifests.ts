// This catalogue's objects: a credential Secret (kubernetes.io/tls, or generic with ca.crt for
// MUTUAL), a Gateway that names it by credentialName, and the VirtualService to httpbin.
import { secretObject, type KubeObject } from '../../helpers/kube';
import { httpbinVirtualService } from '../runtime/httpbin-route';
import { ISTIO_DEFAULTS, type NetworkingVersion, type TlsMode } from '../../helpers/istio/conventions';

export interface SdsNames {
  host: string;
  /** The gateway pods' namespace: istiod serves only secrets from there. */
  gatewayNamespace: string;
  appNamespace: string;
  gatewaySelector: string;
  credential: string;
  gatewayName: string;
  virtualServiceName: string;
}

export const SDS_NAMES: Omit<SdsNames, 'host'> = {
  gatewayNamespace: ISTIO_DEFAULTS.namespace,
  appNamespace: 'default',
  gatewaySelector: ISTIO_DEFAULTS.ingressSelector,
  credential: 'sds-httpbin-credential',
  gatewayName: 'sds-gateway',
  virtualServiceName: 'sds-httpbin',
};

export interface ServerPair {
  certPem: string;
  keyPem: string;
}

/**
 * `kubectl create secret tls <credential> --key … --cert …`; with a CA, the same Secret with ca.crt
 * added. It stays kubernetes.io/tls: a Secret's type is immutable, and istiod reads the keys
 * whatever the type (the doc deletes it and creates a generic one instead).
 */
export function credentialSecret(names: SdsNames, server: ServerPair, caPem?: string): KubeObject {
  const meta = { namespace: names.gatewayNamespace, name: names.credential };
  const pair = { 'tls.crt': server.certPem, 'tls.key': server.keyPem };
  return secretObject(meta, 'kubernetes.io/tls', caPem === undefined ? pair : { ...pair, 'ca.crt': caPem });
}

export function credentialGateway(names: SdsNames, mode: TlsMode, apiVersion: NetworkingVersion): KubeObject {
  return {
    apiVersion,
    kind: 'Gateway',
    metadata: { name: names.gatewayName, namespace: names.appNamespace },
    spec: {
      selector: { istio: names.gatewaySelector },
      servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, tls: { mode, credentialName: names.credential }, hosts: [names.host] }],
    },
  } as KubeObject;
}

export function httpbinRoute(names: SdsNames, apiVersion: NetworkingVersion): KubeObject {
  return httpbinVirtualService({ name: names.virtualServiceName, namespace: names.appNamespace, host: names.host, gateway: names.gatewayName }, apiVersion);
}
