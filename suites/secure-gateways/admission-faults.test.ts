// The twin's admission faults' webhook over real TLS, as the API server calls it, aimed at this
// catalogue's objects (faultObjects): an AdmissionReview for each of the doc's objects, answered with a JSON patch that, applied as RFC 6902 says, gives the
// object its step must reject; the doc's objects it is not for pass unchanged; the configuration
// sends only the doc's object to each fault's path, with the server's CA.
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { applyPatch, type Operation } from 'fast-json-patch';
import { caSecret, DOC_NAMES, gateway, serverSecret, virtualService, type DocNames } from './manifests';
import { faultObjects } from './faults';
import { makeDocChain, type DocChain } from '../../helpers/pki';
import type { KubeObject } from '../../helpers/kube';
import { ADMISSION_FAULTS, admissionTarget, webhookConfiguration, type AdmissionFault } from '../../twin/faults/admission-patches';
import { AdmissionServer } from '../../twin/faults/admission';

const names: DocNames = { ...DOC_NAMES, host: 'httpbin.example.com' };
const SUBSTITUTE = '-----BEGIN CERTIFICATE-----\nnot the generated one\n-----END CERTIFICATE-----\n';

interface Review {
  response: { uid: string; allowed: boolean; patchType?: string; patch?: string };
}

describe('admission faults webhook', () => {
  let chain: DocChain;
  let server: AdmissionServer;

  beforeAll(async () => {
    chain = await makeDocChain({ keyType: 'ecdsa' });
    server = await AdmissionServer.start('127.0.0.1', ADMISSION_FAULTS, { substituteCertPem: SUBSTITUTE, caKey: faultObjects('file-mount').caKey });
  });
  afterAll(async () => server?.close());

  // The API server's call: POST the review to the webhook's URL (with its timeout added), trusting only the caBundle.
  function review(fault: AdmissionFault, object: KubeObject, operation = 'CREATE'): Promise<Review> {
    const body = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: `uid-${fault}`, operation, object } });
    return new Promise((resolve, reject) => {
      const request = https.request(`${server.url}/${fault}?timeout=5s`, { method: 'POST', ca: server.caPem, headers: { 'content-type': 'application/json' } }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve(JSON.parse(text) as Review));
      });
      request.on('error', reject);
      request.end(body);
    });
  }

  async function admitted<T extends KubeObject>(fault: AdmissionFault, object: T, operation?: string): Promise<T> {
    const { response } = await review(fault, object, operation);
    expect(response).toMatchObject({ uid: `uid-${fault}`, allowed: true });
    if (!response.patch) return object;
    expect(response.patchType).toBe('JSONPatch');
    const ops = JSON.parse(Buffer.from(response.patch, 'base64').toString()) as Operation[];
    return applyPatch(structuredClone(object), ops, true, false).newDocument;
  }

  test('server-secret-mutated: tls.crt is no longer the generated certificate; the key is left', async () => {
    const secret = serverSecret('file-mount', names, chain) as KubeObject & { data: Record<string, string> };
    const stored = await admitted('server-secret-mutated', secret);
    expect(Buffer.from(stored.data['tls.crt']!, 'base64').toString()).toBe(SUBSTITUTE);
    expect(stored.data['tls.key']).toBe(secret.data['tls.key']);
    // The CA secret passes unchanged through this fault's path.
    const ca = caSecret('file-mount', names, chain);
    expect(await admitted('server-secret-mutated', ca)).toEqual(ca);
  });

  test('ca-secret-extra-key: a second key ca.crt holding the same chain', async () => {
    const secret = caSecret('file-mount', names, chain) as KubeObject & { data: Record<string, string> };
    const stored = await admitted('ca-secret-extra-key', secret);
    expect(Object.keys(stored.data).sort()).toEqual(['ca-chain.cert.pem', 'ca.crt']);
    expect(stored.data['ca.crt']).toBe(secret.data['ca-chain.cert.pem']);
    // Written again (an update), it is not added twice.
    expect(await admitted('ca-secret-extra-key', stored, 'UPDATE')).toEqual(stored);
  });

  test('virtualservice-mutated: the route gets a 10 s timeout', async () => {
    const object = virtualService(names, 'networking.istio.io/v1') as KubeObject & { spec: { http: Array<Record<string, unknown>> } };
    const stored = await admitted('virtualservice-mutated', object);
    expect(stored.spec.http[0]).toEqual({ ...object.spec.http[0], timeout: '10s' });
  });

  test('gateway-mutual-downgraded: MUTUAL becomes SIMPLE without caCertificates; SIMPLE passes unchanged', async () => {
    const simple = gateway('file-mount', 'SIMPLE', names, 'networking.istio.io/v1');
    expect(await admitted('gateway-mutual-downgraded', simple)).toEqual(simple);
    const mutual = gateway('file-mount', 'MUTUAL', names, 'networking.istio.io/v1');
    const stored = await admitted('gateway-mutual-downgraded', mutual, 'UPDATE');
    expect(stored).toEqual(simple);
  });

  test('every call is counted per fault; an empty object passes', async () => {
    const before = server.callsOf('virtualservice-mutated');
    expect(await admitted('virtualservice-mutated', { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'httpbin' } })).toMatchObject({ kind: 'VirtualService' });
    expect(server.callsOf('virtualservice-mutated')).toBe(before + 1);
  });

  test('the configuration sends only the doc\'s object to each fault, with the server\'s CA, and fails closed', () => {
    const config = webhookConfiguration('faults', ['server-secret-mutated', 'gateway-mutual-downgraded'], faultObjects('file-mount'), server.url, server.caPem) as {
      webhooks: Array<{ name: string; clientConfig: { url: string; caBundle: string }; rules: Array<{ resources: string[] }>; namespaceSelector: unknown; matchConditions: Array<{ expression: string }>; failurePolicy: string; sideEffects: string }>;
    };
    expect(config.webhooks.map((w) => w.name)).toEqual(['server-secret-mutated.faults.istio-gateway-conformance.io', 'gateway-mutual-downgraded.faults.istio-gateway-conformance.io']);
    const [secret, gatewayHook] = config.webhooks;
    expect(secret!.clientConfig.url).toBe(`${server.url}/server-secret-mutated`);
    expect(Buffer.from(secret!.clientConfig.caBundle, 'base64').toString()).toBe(server.caPem);
    expect(secret!.rules[0]!.resources).toEqual(['secrets']);
    expect(secret!.namespaceSelector).toEqual({ matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } });
    expect(secret!.matchConditions[0]!.expression).toBe("object.metadata.name == 'istio-ingressgateway-certs'");
    expect(gatewayHook!.matchConditions[0]!.expression).toBe("object.metadata.name == 'httpbin-gateway'");
    expect(admissionTarget('gateway-mutual-downgraded', faultObjects('file-mount')).namespace).toBe('default');
    expect(config.webhooks.every((w) => w.failurePolicy === 'Fail' && w.sideEffects === 'None')).toBe(true);
  });

  test("the objects are the catalogue's: under the sds profile the secret faults aim at the credentials", () => {
    const objects = faultObjects('sds');
    expect(admissionTarget('server-secret-mutated', objects)).toMatchObject({ kind: 'Secret', namespace: 'istio-system', name: 'httpbin-credential' });
    expect(admissionTarget('ca-secret-extra-key', objects)).toMatchObject({ kind: 'Secret', name: 'httpbin-credential-cacert' });
    const config = webhookConfiguration('faults', ['ca-secret-extra-key'], objects, server.url, server.caPem) as { webhooks: Array<{ matchConditions: Array<{ expression: string }> }> };
    expect(config.webhooks[0]!.matchConditions[0]!.expression).toBe("object.metadata.name == 'httpbin-credential-cacert'");
  });
});
