// The xDS faults on istiod's own output for the doc's Gateway (twin/envoy/testdata/istiod): each
// rewrites only what it names, a dropped listener is removed in a delta, and the withholding faults
// hold back exactly the pushes they describe.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import type { JsonObject } from '../envoy/proto';
import { TYPE_URL } from '../envoy/xds/protocol';
import { NO_FAULTS, writeActiveFaults, type ActiveFaults } from './active';
import type { FaultName } from './names';
import { faultTap, rewriteResponse } from './xds-tap';

const testdata = (file: string) => JSON.parse(fs.readFileSync(path.join(__dirname, '../envoy/testdata/istiod', file), 'utf8')) as JsonObject[];
const { listener: LISTENER, route: ROUTE, secret: SECRET } = TYPE_URL;
const faults = (...names: FaultName[]): ActiveFaults => ({ ...NO_FAULTS, faults: names });
const sotw = (typeUrl: string, resources: JsonObject[]): JsonObject => ({ type_url: typeUrl, version_info: '1', resources });
const tlsOf = (response: JsonObject) => {
  const listener = (response.resources as JsonObject[])[0]!;
  const chain = (listener.filter_chains as JsonObject[])[0]!;
  return (chain.transport_socket as JsonObject).typed_config as JsonObject;
};

describe('xDS fault rewrites', () => {
  const mutual = sotw(LISTENER, testdata('listeners-mutual.json'));
  const routes = sotw(ROUTE, testdata('routes.json'));

  test('no fault changes nothing', () => {
    expect(rewriteResponse(mutual, NO_FAULTS, false)).toBe(mutual);
  });

  test('mutual-not-enforced clears require_client_certificate; no-h2 removes h2; mutual-any-client-ca accepts untrusted', () => {
    expect(tlsOf(mutual).require_client_certificate).toBe(true);
    expect(tlsOf(rewriteResponse(mutual, faults('mutual-not-enforced'), false)).require_client_certificate).toBe(false);
    const noH2 = tlsOf(rewriteResponse(mutual, faults('no-h2'), false)).common_tls_context as JsonObject;
    expect(noH2.alpn_protocols).toEqual(['http/1.1']);
    const any = tlsOf(rewriteResponse(mutual, faults('mutual-any-client-ca'), false)).common_tls_context as JsonObject;
    expect((any.combined_validation_context as JsonObject).default_validation_context).toEqual({ trust_chain_verification: 'ACCEPT_UNTRUSTED' });
  });

  test('mutual-port-closed drops the MUTUAL listener: absent in a state of the world, removed in a delta', () => {
    expect(rewriteResponse(mutual, faults('mutual-port-closed'), false).resources).toEqual([]);
    const delta: JsonObject = { type_url: LISTENER, resources: testdata('listeners-mutual.json').map((resource) => ({ name: resource.name as string, version: '1', resource })) };
    const rewritten = rewriteResponse(delta, faults('mutual-port-closed'), true);
    expect(rewritten.resources).toEqual([]);
    expect(rewritten.removed_resources).toEqual([testdata('listeners-mutual.json')[0]!.name]);
    // A SIMPLE listener is left alone.
    expect(rewriteResponse(sotw(LISTENER, testdata('listeners-simple.json')), faults('mutual-port-closed'), false).resources).toHaveLength(1);
  });

  test('route-missing removes /status; route-leak adds a catch-all to the same cluster', () => {
    const prefixes = (response: JsonObject) =>
      ((((response.resources as JsonObject[])[0]!.virtual_hosts as JsonObject[])[0]!.routes as JsonObject[]) ?? []).map((route) => (route.match as JsonObject).prefix);
    expect(prefixes(routes)).toEqual(['/status', '/delay']);
    expect(prefixes(rewriteResponse(routes, faults('route-missing'), false))).toEqual(['/delay']);
    expect(prefixes(rewriteResponse(routes, faults('route-leak'), false))).toEqual(['/status', '/delay', '/']);
  });
});

describe('xDS fault tap', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xds-tap-'));
  const file = path.join(dir, 'active.json');
  // Delivery goes through the tap's ordering queue: let it run before looking.
  const deliveredBy = (tap: ReturnType<typeof faultTap>) => async (response: JsonObject) => {
    let delivered: JsonObject | undefined;
    tap!(response, (value) => (delivered = value));
    await new Promise((resolve) => setImmediate(resolve));
    return delivered;
  };

  test('without a faults file there is no tap at all', () => {
    expect(faultTap(undefined, { delta: false }, () => undefined)).toBeUndefined();
  });

  test('config-stuck passes the first push of a type and withholds the rest', async () => {
    writeActiveFaults(file, faults('config-stuck'));
    const pass = deliveredBy(faultTap(file, { delta: false }, () => undefined));
    const listeners = sotw(LISTENER, testdata('listeners-simple.json'));
    expect(await pass(listeners)).toBeDefined();
    expect(await pass(listeners)).toBeUndefined();
  });

  test('cleanup-leaves-route withholds a push that removes a held listener or routes, and passes additions', async () => {
    writeActiveFaults(file, faults('cleanup-leaves-route'));
    const tap = faultTap(file, { delta: true }, () => undefined);
    const delivered: JsonObject[] = [];
    const send = async (response: JsonObject) => {
      tap!(response, (value) => delivered.push(value));
      await new Promise((resolve) => setImmediate(resolve));
    };
    const listener = testdata('listeners-simple.json')[0]!;
    await send({ type_url: LISTENER, resources: [] }); // the first push of the type
    await send({ type_url: LISTENER, resources: [{ name: listener.name as string, version: '1', resource: listener }] });
    await send({ type_url: LISTENER, resources: [], removed_resources: [listener.name as string] });
    expect(delivered).toHaveLength(2);
    writeActiveFaults(file, NO_FAULTS);
    await send({ type_url: LISTENER, resources: [], removed_resources: [listener.name as string] });
    expect(delivered).toHaveLength(3);
  });

  test('secret-updates-withheld passes first deliveries of a secret (a new name too) and withholds updates of held ones', async () => {
    writeActiveFaults(file, NO_FAULTS);
    const pass = deliveredBy(faultTap(file, { delta: false }, () => undefined));
    const credential = { '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret', name: 'kubernetes://cred', tls_certificate: {} };
    const ca = { '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret', name: 'kubernetes://cred-cacert', validation_context: {} };
    expect(await pass(sotw(SECRET, [credential]))).toBeDefined(); // an earlier rehearsal's, on the same stream
    writeActiveFaults(file, faults('secret-updates-withheld'));
    expect(await pass(sotw(SECRET, [credential]))).toBeDefined(); // this rehearsal's first delivery
    expect(await pass(sotw(SECRET, [credential, ca]))).toBeDefined(); // MUTUAL adds the CA: a first delivery
    expect(await pass(sotw(SECRET, [credential, ca]))).toBeUndefined(); // a rotation: withheld
    writeActiveFaults(file, NO_FAULTS);
    expect(await pass(sotw(SECRET, [credential, ca]))).toBeDefined();
  });
});

describe('xDS secret rewrites for credentialName', () => {
  const secret = (name: string, body: JsonObject): JsonObject => sotw(SECRET, [{ '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret', name, ...body }]);
  const first = (response: JsonObject) => (response.resources as JsonObject[])[0]!;

  test("server-cert-self-signed and mutual-rejects-valid-client act on istiod's kubernetes:// secrets as on pilot-agent's file ones", () => {
    const material = { selfSigned: { certPem: 'SELF', keyPem: 'SELFKEY' }, unrelatedCaPem: 'OTHER CA' };
    const served = rewriteResponse(secret('kubernetes://cred', { tls_certificate: { certificate_chain: { inline_bytes: 'eA==' } } }), { ...faults('server-cert-self-signed'), material }, false);
    expect((first(served).tls_certificate as JsonObject).certificate_chain).toEqual({ inline_bytes: Buffer.from('SELF').toString('base64') });
    const ca = rewriteResponse(secret('kubernetes://cred-cacert', { validation_context: { trusted_ca: { inline_bytes: 'eA==' } } }), { ...faults('mutual-rejects-valid-client'), material }, false);
    expect((first(ca).validation_context as JsonObject).trusted_ca).toEqual({ inline_bytes: Buffer.from('OTHER CA').toString('base64') });
    // The proxy's own workload certificate is not the gateway's credential.
    const workload = secret('default', { tls_certificate: { certificate_chain: { inline_bytes: 'eA==' } } });
    expect(rewriteResponse(workload, { ...faults('server-cert-self-signed'), material }, false)).toEqual(workload);
  });
});
