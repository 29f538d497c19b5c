// What each admission fault's webhook does to the catalogue's object it is registered for (by the
// names ActiveFaults.objects gives): the object,
// the MutatingWebhookConfiguration entry that sends exactly that object to the fault's server
// (by kind, namespace and a CEL match on the name), and the JSON patch the webhook answers with.
// Pure, so that each is tested without an API server.
import type { FaultObjects } from './active';
import type { FaultName } from './names';
import type { JsonPatchOp } from './service-ports';

export const ADMISSION_FAULTS = ['server-secret-mutated', 'virtualservice-mutated', 'ca-secret-extra-key', 'gateway-mutual-downgraded'] as const satisfies readonly FaultName[];
export type AdmissionFault = (typeof ADMISSION_FAULTS)[number];

export function isAdmissionFault(name: FaultName): name is AdmissionFault {
  return (ADMISSION_FAULTS as readonly string[]).includes(name);
}

/** The object a webhook is registered for. */
export interface AdmissionTarget {
  apiGroup: string;
  /** The version the rehearsal probes with (the rule itself takes every version). */
  apiVersion: string;
  kind: string;
  resource: string;
  namespace: string;
  name: string;
}

const ISTIO = { apiGroup: 'networking.istio.io', apiVersion: 'networking.istio.io/v1' };
const CORE = { apiGroup: '', apiVersion: 'v1' };

export function admissionTarget(fault: AdmissionFault, objects: FaultObjects): AdmissionTarget {
  switch (fault) {
    case 'server-secret-mutated':
      return { ...CORE, kind: 'Secret', resource: 'secrets', namespace: objects.gatewayNamespace, name: objects.serverSecret };
    case 'ca-secret-extra-key':
      return { ...CORE, kind: 'Secret', resource: 'secrets', namespace: objects.gatewayNamespace, name: objects.caSecret };
    case 'virtualservice-mutated':
      return { ...ISTIO, kind: 'VirtualService', resource: 'virtualservices', namespace: objects.appNamespace, name: objects.virtualServiceName };
    case 'gateway-mutual-downgraded':
      return { ...ISTIO, kind: 'Gateway', resource: 'gateways', namespace: objects.appNamespace, name: objects.gatewayName };
  }
}

/** The key ca-secret-extra-key adds beside the CA secret's own key (the doc's ca-chain.cert.pem). */
export const EXTRA_CA_KEY = 'ca.crt';
/** The route timeout virtualservice-mutated adds. */
export const ADDED_TIMEOUT = '10s';

type Json = Record<string, unknown>;

/** What the webhook needs besides the object: server-secret-mutated's certificate (PEM, no key). */
export interface AdmissionMaterial {
  substituteCertPem: string;
  /** The key of the catalogue's CA secret (FaultObjects.caKey). */
  caKey: string;
}

/** The JSON patch a fault's webhook answers for the object it was sent (empty: let it pass unchanged). */
export function admissionPatch(fault: AdmissionFault, object: Json, material: AdmissionMaterial): JsonPatchOp[] {
  const data = (object.data ?? {}) as Record<string, string>;
  const spec = (object.spec ?? {}) as Json;
  switch (fault) {
    case 'server-secret-mutated':
      return 'tls.crt' in data ? [{ op: 'replace', path: '/data/tls.crt', value: Buffer.from(material.substituteCertPem).toString('base64') }] : [];
    case 'ca-secret-extra-key':
      return material.caKey in data && !(EXTRA_CA_KEY in data) ? [{ op: 'add', path: `/data/${EXTRA_CA_KEY}`, value: data[material.caKey] }] : [];
    case 'virtualservice-mutated': {
      const first = (spec.http as Json[] | undefined)?.[0];
      return first && first.timeout === undefined ? [{ op: 'add', path: '/spec/http/0/timeout', value: ADDED_TIMEOUT }] : [];
    }
    case 'gateway-mutual-downgraded':
      return ((spec.servers as Array<{ tls?: Json }> | undefined) ?? []).flatMap((server, index): JsonPatchOp[] => {
        if (server.tls?.mode !== 'MUTUAL') return [];
        const tls = `/spec/servers/${index}/tls`;
        return [{ op: 'replace', path: `${tls}/mode`, value: 'SIMPLE' }, ...('caCertificates' in server.tls ? [{ op: 'remove' as const, path: `${tls}/caCertificates` }] : [])];
      });
  }
}

/** The MutatingWebhookConfiguration that sends each armed fault's object to `<baseUrl>/<fault>`. */
export function webhookConfiguration(name: string, faults: readonly AdmissionFault[], objects: FaultObjects, baseUrl: string, caPem: string): Json {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name },
    webhooks: faults.map((fault) => {
      const target = admissionTarget(fault, objects);
      return {
        name: `${fault}.faults.istio-gateway-conformance.io`,
        clientConfig: { url: `${baseUrl}/${fault}`, caBundle: Buffer.from(caPem).toString('base64') },
        rules: [{ apiGroups: [target.apiGroup], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: [target.resource], scope: 'Namespaced' }],
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': target.namespace } },
        matchConditions: [{ name: 'the-doc-object', expression: `object.metadata.name == '${target.name}'` }],
        // Fail, not Ignore: a fault that silently does nothing would make its step pass.
        failurePolicy: 'Fail',
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        timeoutSeconds: 5,
      };
    }),
  };
}
