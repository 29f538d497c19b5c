// The credentialName catalogue's faults: which of the twin's faults (twin/faults/names.ts) break
// which of its steps, on this catalogue's objects (faultObjects), and why that step is the first
// to fail; in the order of the steps they break. flows/rehearse-sds-faults.twin.test.ts proves
// every entry against the catalogue on the twin.
import { FAULT_BOUNDARIES, type FaultBoundary, type FaultName } from '../../twin/faults/names';
import type { FaultObjects } from '../../twin/faults/active';
import { SDS_NAMES } from './manifests';

export interface SdsFault {
  name: FaultName;
  /** The step that must be the first to fail. */
  breaks: string;
  acts: string;
  why: string;
}

const TABLE: SdsFault[] = [
  {
    name: 'gateway-not-ready',
    breaks: 'SDS-B1',
    acts: "the kubelet stand-in reports the gateway's istio-proxy not Ready whatever its probe says",
    why: 'B1 is the first step and the only one that asks for a Ready gateway pod',
  },
  {
    name: 'gateway-service-no-https',
    breaks: 'SDS-B2',
    acts: "the gateway Service's https port 443 becomes tls-alt 9443",
    why: 'B1 looks at pods and httpbin; B2 is the first to look for the HTTPS port',
  },
  {
    name: 'server-secret-mutated',
    breaks: 'SDS-S1',
    acts: 'a mutating webhook replaces tls.crt of the credential sds-httpbin-credential when it is written',
    why: 'S1 is the first write, and it reads the Secret back',
  },
  {
    name: 'istiod-down',
    breaks: 'SDS-S2',
    acts: "node: connections to istiod's webhook port 15017 are reset, so the fail-closed validating webhook refuses Istio objects",
    why: 'S1 writes a Secret, which the webhook does not see; S2 is the first Istio object',
  },
  {
    name: 'virtualservice-mutated',
    breaks: 'SDS-S3',
    acts: "a mutating webhook adds a 10 s timeout to the VirtualService sds-httpbin's route",
    why: 'S3 is the first to write the VirtualService and compares what was stored',
  },
  {
    name: 'server-cert-self-signed',
    breaks: 'SDS-S4',
    acts: 'SDS: the kubernetes://sds-httpbin-credential secret istiod pushes reaches Envoy with a self-signed certificate for the host',
    why: 'S1-S3 only write API objects; S4 is the first handshake, and the client cannot chain the certificate',
  },
  {
    name: 'gateway-mutual-downgraded',
    breaks: 'SDS-M1',
    acts: 'a mutating webhook turns the Gateway sds-gateway from MUTUAL back into SIMPLE when it is written',
    why: 'S2 wrote SIMPLE, which the webhook leaves alone; M1 is the first MUTUAL write and compares what was stored',
  },
  {
    name: 'mutual-not-enforced',
    breaks: 'SDS-M2',
    acts: 'LDS: require_client_certificate is dropped from the listener istiod sends for MUTUAL',
    why: 'M1 only writes objects; M2 is the first request without a client certificate, and it is served',
  },
  {
    name: 'mutual-rejects-valid-client',
    breaks: 'SDS-M3',
    acts: 'SDS: the kubernetes://sds-httpbin-credential-cacert validation context carries a CA that issued nothing the suite uses',
    why: 'M2 is refused either way; M3 is the first client with a certificate, which the gateway now refuses (unknown_ca)',
  },
  {
    name: 'secret-updates-withheld',
    breaks: 'SDS-R1',
    acts: "SDS: a push of a secret Envoy already holds is withheld (first deliveries pass), as a stuck SDS update would",
    why: 'every earlier step is served by first deliveries (M1 adds the -cacert secret); R1 is the first update of a held secret, so the old certificate stays',
  },
  {
    name: 'delete-ignored',
    breaks: 'SDS-X1',
    acts: "a finalizer nobody clears is put on the suite's Gateway, so its deletion never completes",
    why: 'the Gateway serves normally until X1 deletes it and waits for it to be gone',
  },
  {
    name: 'cleanup-leaves-route',
    breaks: 'SDS-X2',
    acts: 'ADS: a push that would remove a listener or route Envoy has seen is withheld',
    why: 'the objects are deleted (X1 passes); X2 is the first to check that the host is no longer served',
  },
];

export interface SdsFaultEntry extends SdsFault {
  boundary: FaultBoundary;
}

export const SDS_FAULTS: readonly SdsFaultEntry[] = TABLE.map((fault) => ({ ...fault, boundary: FAULT_BOUNDARIES[fault.name] }));

/** The objects the faults act on: this catalogue's credential, Gateway and VirtualService. */
export function sdsFaultObjects(): FaultObjects {
  return {
    gatewayNamespace: SDS_NAMES.gatewayNamespace,
    appNamespace: SDS_NAMES.appNamespace,
    gatewayName: SDS_NAMES.gatewayName,
    virtualServiceName: SDS_NAMES.virtualServiceName,
    gatewaySelector: SDS_NAMES.gatewaySelector,
    serverSecret: SDS_NAMES.credential,
    // MUTUAL's CA is in the credential itself (ca.crt).
    caSecret: SDS_NAMES.credential,
    caKey: 'ca.crt',
  };
}
