// The Secure Gateways catalogue's faults: which of the twin's faults (twin/faults/names.ts) break
// which of its steps, what each does to this catalogue's objects, and why that step is the first
// to fail; listed in the catalogue order of the steps they break. The objects they act on are
// this catalogue's (faultObjects). `npm run rehearse -- --list-faults` prints this table;
// flows/rehearse-faults.twin.test.ts proves every entry against the catalogue.
import { FAULT_BOUNDARIES, type FaultBoundary, type FaultName } from '../../twin/faults/names';
import type { FaultObjects } from '../../twin/faults/active';
import { caSecretKey, caSecretName, DOC_NAMES, serverSecretName, type Profile } from './manifests';

export interface CatalogueFault {
  name: FaultName;
  /** The step that must be the first to fail. */
  breaks: string;
  /** What the fault does, where. */
  acts: string;
  /** Why the step it breaks is the first to fail. */
  why: string;
}

const TABLE: CatalogueFault[] = [
  {
    name: 'gateway-not-ready',
    breaks: 'SG-B1',
    acts: 'the kubelet stand-in counts every readiness probe of the gateway\'s istio-proxy as failed and reports it not Ready at once (past the probe\'s failure threshold, which would take 60 s)',
    why: 'B1 is the first step and the only one that asks for a Ready gateway pod',
  },
  {
    name: 'gateway-service-no-https',
    breaks: 'SG-B2',
    acts: 'the gateway Service\'s https port 443 becomes tls-alt 9443 (same NodePort and target), as a values override that renames the ports would make it',
    why: 'B1 looks at pods and httpbin, not at the gateway Service\'s ports; B2 is the first to look for the HTTPS port',
  },
  {
    name: 'cert-dir-leaf-folders-linked',
    breaks: 'SG-C1',
    acts: 'CERT_DIR already holds a 4_client that links to 3_application (one folder for both leaf certificates), so the client certificate, named like the server\'s, overwrites it on disk',
    why: 'C1 is the first to write and read the cert folder: openssl finds a client certificate where the server certificate should be; later steps use the chain in memory',
  },
  {
    name: 'server-secret-mutated',
    breaks: 'SG-S1',
    acts: 'a mutating webhook replaces tls.crt of istio-ingressgateway-certs with a certificate of its own when the Secret is written',
    why: 'B and C write nothing to the cluster; S1 is the first write, and it reads the Secret back',
  },
  {
    name: 'istiod-down',
    breaks: 'SG-S2',
    acts: 'node: connections to istiod\'s webhook port 15017 are reset, so the fail-closed validating webhook refuses Istio objects',
    why: 'S1 writes a Secret, which the webhook does not see; S2 is the first Istio object',
  },
  {
    name: 'virtualservice-mutated',
    breaks: 'SG-S3',
    acts: 'a mutating webhook adds a 10 s timeout to the httpbin VirtualService\'s route, as a policy engine adding defaults would',
    why: 'S1 and S2 write other kinds; S3 is the first to write the VirtualService and compares what was stored',
  },
  {
    name: 'server-cert-self-signed',
    breaks: 'SG-S4',
    acts: 'SDS: the file-cert secret pushed to Envoy carries a self-signed certificate for the host instead of the mounted one',
    why: 'S1-S3 only write API objects; S4 is the first handshake, and the client cannot chain the certificate to ca-chain',
  },
  {
    name: 'server-cert-wrong-host',
    breaks: 'SG-S4',
    acts: 'SDS: the file-cert secret carries a certificate for wrong.example.com issued by the run\'s own intermediate CA',
    why: 'the chain verifies, but the name does not: the first handshake (S4) fails on the host name',
  },
  {
    name: 'no-h2',
    breaks: 'SG-S4',
    acts: 'LDS: h2 is removed from the listener\'s ALPN protocols, so the gateway answers HTTP/1.1',
    why: 'S4 is the first request and the doc shows HTTP/2 418',
  },
  {
    name: 'route-missing',
    breaks: 'SG-S4',
    acts: 'RDS: the /status route is removed from the host\'s virtual host',
    why: 'S4 requests /status/418, which now answers 404 from the gateway',
  },
  {
    name: 'config-stuck',
    breaks: 'SG-S4',
    acts: 'ADS: every Listener and RouteConfiguration push after the first is withheld from Envoy',
    why: 'the objects are accepted (S1-S3), but the gateway never opens the host\'s listener: the first request (S4) finds no server',
  },
  {
    name: 'secret-not-mounted',
    breaks: 'SG-S4',
    acts: 'the kubelet stand-in never writes istio-ingressgateway-certs into the gateway pod\'s volume',
    why: 'the Secret is stored (S1), but Envoy never gets the certificate, so the listener stays warming: S4 finds no server',
  },
  {
    name: 'server-groups-pq-only',
    breaks: 'SG-S4-curl',
    acts: 'LDS: the listener\'s tls_params allow only the key-exchange group X25519MLKEM768 (as meshConfig.tlsDefaults.ecdhCurves could)',
    why: 'the probe (Node 24, OpenSSL 3.5) offers that group and passes S4; the doc\'s curl on OpenSSL 3.0 does not, so the second client is the first to fail',
  },
  {
    name: 'route-leak',
    breaks: 'SG-S5',
    acts: 'RDS: a catch-all prefix / route to httpbin is appended to the host\'s virtual host',
    why: '/status still works (S4 passes); S5 is the first to request a path outside /status and /delay',
  },
  {
    name: 'ca-secret-extra-key',
    breaks: 'SG-M1',
    acts: 'a mutating webhook copies ca-chain.cert.pem of istio-ingressgateway-ca-certs to a second key ca.crt, as a trust-bundle tool might',
    why: 'the server Secret is left alone (S1 passes), and the gateway serves SIMPLE (S4-S6); M1 is the first to write the CA Secret and check its keys',
  },
  {
    name: 'gateway-mutual-downgraded',
    breaks: 'SG-M2',
    acts: 'a mutating webhook turns a Gateway server\'s tls mode MUTUAL into SIMPLE (dropping caCertificates) when it is written',
    why: 'S2 writes SIMPLE, which the webhook leaves alone; M2 is the first MUTUAL write and compares what was stored',
  },
  {
    name: 'mutual-not-enforced',
    breaks: 'SG-M3',
    acts: 'LDS: require_client_certificate is cleared on every filter chain',
    why: 'M1-M2 write API objects; M3 is the first request without a client certificate, and it is answered',
  },
  {
    name: 'mutual-port-closed',
    breaks: 'SG-M3',
    acts: 'LDS: a listener that requires client certificates is dropped, so the port closes once MUTUAL is pushed',
    why: 'M3 is the first request after the MUTUAL replacement; a closed port is not a TLS refusal',
  },
  {
    name: 'mutual-hangs',
    breaks: 'SG-M3',
    acts: 'node: once the Gateway says MUTUAL, packets to the gateway\'s HTTPS ports are dropped',
    why: 'M3 is the first request after the MUTUAL replacement; a timeout is not a TLS refusal',
  },
  {
    name: 'mutual-rejects-valid-client',
    breaks: 'SG-M4',
    acts: 'SDS: the file-root secret carries an unrelated CA instead of the mounted ca-chain',
    why: 'a client without a certificate is still refused (M3 passes); M4 is the first client with the doc\'s certificate',
  },
  {
    name: 'mutual-any-client-ca',
    breaks: 'SG-M5',
    acts: 'LDS: the validation context says trust_chain_verification ACCEPT_UNTRUSTED',
    why: 'a client certificate is still required (M3 passes) and the good one is accepted (M4); M5 is the first foreign client',
  },
  {
    name: 'service-port-moved',
    breaks: 'SG-T1',
    acts: 'once the suite has written its Gateway (after B2 read the Service), the gateway Service\'s https port is renamed https-old (still 443, still served) and a new port https 9443 is added',
    why: 'the address B2 found keeps working, so every request passes (S, M); T1 is the first to read the Service again',
  },
  {
    name: 'exec-certs-dir-wrong-volume',
    breaks: 'SG-T2',
    acts: 'the container runtime\'s exec into the gateway\'s istio-proxy (kubectl exec) binds the ca-certs volume at /etc/istio/ingressgateway-certs. In the exec, not the volume: Envoy reads the same volume, so wrong files there would fail S4 first',
    why: 'the gateway serves from its own view (S, M, T1 pass); T2 is the first to look into the pod',
  },
  {
    name: 'mounted-cert-other-serial',
    breaks: 'SG-T3',
    acts: 'the kubelet stand-in writes into the istio-ingressgateway-certs volume another certificate for the host, from the run\'s own intermediate CA, with a key of its own, instead of the Secret\'s pair',
    why: 'the served certificate names the host and chains to the intermediate (S4, M pass) and the files are there (T2); T3 is the first to compare serials, before T4',
  },
  {
    name: 'certs-admin-stale',
    breaks: 'SG-T4',
    acts: 'Envoy\'s admin /certs keeps answering what it held when the fault was armed. Inside the stand-in because /certs is Envoy\'s own account of its TLS contexts: nothing outside Envoy can make it disagree with what Envoy serves',
    why: 'traffic is served correctly (S, M pass) and the files are mounted (T2, T3); T4 is the first to read /certs',
  },
  {
    name: 'gateway-log-errors',
    breaks: 'SG-T5',
    acts: 'the container runtime\'s log of the gateway container gets Envoy\'s line for a rejected listener update',
    why: 'nothing else is broken; T5 is the only step that reads the logs',
  },
  {
    name: 'exec-ca-dir-wrong-volume',
    breaks: 'SG-T7',
    acts: 'the container runtime\'s exec into the gateway\'s istio-proxy binds the certs volume at /etc/istio/ingressgateway-ca-certs. In the exec, not the volume: Envoy reads the same volume, so a missing CA file there would fail M3 first',
    why: 'the server certificate\'s folder is right (T2, T3), Envoy serves from its own view (T4), the log is clean (T5); T7 is the first to look at the CA folder',
  },
  {
    name: 'mounted-ca-chain-reversed',
    breaks: 'SG-T8',
    acts: 'the kubelet stand-in writes ca-chain.cert.pem into the istio-ingressgateway-ca-certs volume with its certificates in reverse order (root first)',
    why: 'the order does not matter to a trust store, so MUTUAL works (M3-M5) and the file is there (T7); T8 is the first to read its first certificate',
  },
  {
    name: 'delete-ignored',
    breaks: 'SG-X1',
    acts: 'a finalizer nobody clears is put on the suite\'s Gateway, so its deletion never completes',
    why: 'the Gateway serves normally until X1 deletes it and waits for it to be gone',
  },
  {
    name: 'httpbin-delete-stuck',
    breaks: 'SG-X2',
    acts: 'a finalizer nobody clears is put on the httpbin Service, so its deletion never completes',
    why: 'a finalizer does not change how the Service serves, so every step passes until X2 deletes the Service and waits for it to be gone',
  },
  {
    name: 'cleanup-leaves-route',
    breaks: 'SG-X3',
    acts: 'ADS: a push that would remove a listener or route Envoy has seen is withheld',
    why: 'the objects are deleted (X1 passes); X3 is the first to check that the host is no longer served',
  },
];

export interface FaultEntry extends CatalogueFault {
  boundary: FaultBoundary;
}

export const FAULTS: readonly FaultEntry[] = TABLE.map((fault) => ({ ...fault, boundary: FAULT_BOUNDARIES[fault.name] }));

/** The objects the faults act on: this catalogue's, under the profile it runs. */
export function faultObjects(profile: Profile): FaultObjects {
  return {
    gatewayNamespace: DOC_NAMES.gatewayNamespace,
    appNamespace: DOC_NAMES.appNamespace,
    gatewayName: DOC_NAMES.gatewayName,
    virtualServiceName: DOC_NAMES.virtualServiceName,
    gatewaySelector: DOC_NAMES.gatewaySelector,
    serverSecret: serverSecretName(profile),
    caSecret: caSecretName(profile),
    caKey: caSecretKey(profile),
  };
}
