// What each admission fault's webhook does to the doc's object it is registered for: the object,
// the MutatingWebhookConfiguration entry that sends exactly that object to the fault's server
// (by kind, namespace and a CEL match on the name), and the JSON patch the webhook answers with.
// Pure, so that each is tested without an API server.
import { DOC_NAMES, FILE_MOUNT } from '../../helpers/manifests';
import type { FaultName } from './catalogue';
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

export const ADMISSION_TARGETS: Record<AdmissionFault, AdmissionTarget> = {
  'server-secret-mutated': { ...CORE, kind: 'Secret', resource: 'secrets', namespace: DOC_NAMES.gatewayNamespace, name: FILE_MOUNT.certSecret },
  'ca-secret-extra-key': { ...CORE, kind: 'Secret', resource: 'secrets', namespace: DOC_NAMES.gatewayNamespace, name: FILE_MOUNT.caSecret },
  'virtualservice-mutated': { ...ISTIO, kind: 'VirtualService', resource: 'virtualservices', namespace: DOC_NAMES.appNamespace, name: DOC_NAMES.virtualServiceName },
  'gateway-mutual-downgraded': { ...ISTIO, kind: 'Gateway', resource: 'gateways', namespace: DOC_NAMES.appNamespace, name: DOC_NAMES.gatewayName },
};

/** The key ca-secret-extra-key adds beside the doc's ca-chain.cert.pem. */
export const EXTRA_CA_KEY = 'ca.crt';
/** The route timeout virtualservice-mutated adds. */
export const ADDED_TIMEOUT = '10s';

type Json = Record<string, unknown>;

/** What the webhook needs besides the object: server-secret-mutated's certificate (PEM, no key). */
export interface AdmissionMaterial {
  substituteCertPem: string;
}

/** The JSON patch a fault's webhook answers for the object it was sent (empty: let it pass unchanged). */
export function admissionPatch(fault: AdmissionFault, object: Json, material: AdmissionMaterial): JsonPatchOp[] {
  const data = (object.data ?? {}) as Record<string, string>;
  const spec = (object.spec ?? {}) as Json;
  switch (fault) {
    case 'server-secret-mutated':
      return 'tls.crt' in data ? [{ op: 'replace', path: '/data/tls.crt', value: Buffer.from(material.substituteCertPem).toString('base64') }] : [];
    case 'ca-secret-extra-key':
      return FILE_MOUNT.caFile in data && !(EXTRA_CA_KEY in data) ? [{ op: 'add', path: `/data/${EXTRA_CA_KEY}`, value: data[FILE_MOUNT.caFile] }] : [];
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
export function webhookConfiguration(name: string, faults: readonly AdmissionFault[], baseUrl: string, caPem: string): Json {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name },
    webhooks: faults.map((fault) => {
      const target = ADMISSION_TARGETS[fault];
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
