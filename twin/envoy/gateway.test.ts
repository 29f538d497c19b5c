// The stand-in as the twin's gateway proxy, through its own xDS/SDS boundary: pilot-agent's
// bootstrap and command line, a fake pilot-agent replaying what istiod generates for the doc's
// Gateway (testdata/istiod; Delta ADS, file SDS), httpbin on loopback, and the doc's curl
// (helpers/probe).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { once } from 'node:events';
import crypto, { X509Certificate } from 'node:crypto';
import net from 'node:net';
import { duplexPair } from 'node:stream';
import tls from 'node:tls';
import { eventually } from '../../helpers/eventually';
import { makeDocChain, type DocChain } from '../../helpers/pki';
import { holdConnection, probe, type HeldConnection, type Observation, type ProbeOptions } from '../../helpers/probe';
import { closedPort } from '../../helpers/probe/test-servers';
import type { JsonObject } from './proto';
import { adminGet, startGateway, startUpstream, type Gateway, type Upstream } from './testing/harness';
import * as istio from './testing/istio-gateway';
import { TYPE_URL } from './xds';

const { HOST, CERT_SECRET, ROOT_SECRET, GATEWAY_LISTENER } = istio;
const WARMING_LISTENER = '0.0.0.0_9443';
const WARMING_SECRET = 'file-cert:/etc/istio/other-certs/tls.crt~/etc/istio/other-certs/tls.key';
const TIMEOUT_SECRET = 'file-cert:/etc/istio/late-certs/tls.crt~/etc/istio/late-certs/tls.key';
const SOON = { budgetMs: 15_000, converge: 1, initialDelayMs: 20, maxDelayMs: 200 };

let chain: DocChain;
let other: DocChain;
let rotated: DocChain;
let upstream: Upstream;
let gateway: Gateway;
let warmingPort: number;

const serial = (pem: string) => new X509Certificate(pem).serialNumber.toLowerCase();
const serverSecret = (docChain: DocChain) => istio.certificateSecret(docChain.server.certPem + docChain.intermediate.certPem, docChain.server.keyPem);

function curl(extra: Partial<ProbeOptions> & { path?: string; listener?: string; host?: string } = {}): Promise<Observation> {
  const { path = '/status/418', listener = GATEWAY_LISTENER, host = HOST, ...options } = extra;
  const port = gateway.port(listener) ?? warmingPort;
  return probe({ url: `https://${host}:${port}${path}`, resolve: { host, port, address: '127.0.0.1' }, ca: chain.caChainPem, timeoutMs: 3_000, ...options });
}

/** What istiod sends for the doc's Gateway and VirtualService, its own bytes, httpbin on loopback. */
function pushIstiodConfig(target: Gateway, listeners: JsonObject[]): void {
  const { plane } = target;
  plane.setResources(TYPE_URL.cluster, istio.istiodRaw('clusters'));
  plane.setResources(TYPE_URL.endpoint, [
    ...istio.istiodRaw('endpoints').filter((assignment) => assignment.name !== istio.HTTPBIN_CLUSTER),
    istio.httpbinEndpoints('127.0.0.1', upstream.port),
  ]);
  plane.setResources(TYPE_URL.listener, listeners);
  plane.setResources(TYPE_URL.route, istio.istiodRaw('routes'));
}

const simpleListener = () => istio.istiodJson('listeners-simple')[0]!;

/** istiod's SIMPLE listener on 9443 with a certificate pair of its own. */
const warmingListener = () => istio.withCertSecret(istio.onPort(simpleListener(), 9443), WARMING_SECRET);

async function stat(name: string, target: Gateway = gateway): Promise<number> {
  const { body } = await adminGet(target, `/stats?filter=${encodeURIComponent(`^${name.replace(/\./g, '\\.')}$`)}`);
  const match = /: (\d+)$/m.exec(body);
  return match ? Number(match[1]) : 0;
}

/** How many times the stand-in asked pilot-agent's SDS for this secret (each stream asks once). */
const sdsRequestsFor = (name: string) =>
  gateway.plane.requests.filter((entry) => entry.method === 'StreamSecrets' && !entry.request.response_nonce && (entry.request.resource_names as string[] | undefined)?.includes(name)).length;

/** The ClientHello a TLS client sends for this SNI (to write on a plain socket). */
async function clientHelloBytes(serverName: string): Promise<Buffer> {
  const [near, far] = duplexPair();
  const client = tls.connect({ socket: near as unknown as net.Socket, servername: serverName, rejectUnauthorized: false });
  client.on('error', () => undefined);
  const [hello] = (await once(far, 'data')) as [Buffer];
  client.destroy();
  return hello;
}

const outcomeOf = (seen: Observation) => (seen.outcome === 'response' ? `HTTP ${seen.status}` : seen.outcome === 'tls-alert' ? `alert ${seen.alert}` : seen.outcome);

beforeAll(async () => {
  [chain, other, rotated] = await Promise.all([makeDocChain(), makeDocChain({ namePrefix: 'Other ' }), makeDocChain({ namePrefix: 'Rotated ' })]);
  upstream = await startUpstream();
  warmingPort = await closedPort();
  gateway = await startGateway({ apiType: 'DELTA_GRPC', statusPort: upstream.port, ports: { [WARMING_LISTENER]: warmingPort } });
  gateway.plane.setSecret(CERT_SECRET, serverSecret(chain));
  pushIstiodConfig(gateway, istio.istiodRaw('listeners-simple'));
  await gateway.standIn.whenLive();
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

describe('start-up as pilot-agent runs Envoy', () => {
  test('subscribes in Envoy order (CDS, EDS, LDS, RDS, then SDS on sds-grpc) and sends the node once', () => {
    const ads = gateway.plane.requests.filter((entry) => entry.method === 'DeltaAggregatedResources');
    const firstOf = (typeUrl: string) => ads.findIndex((entry) => entry.request.type_url === typeUrl);
    expect(firstOf(TYPE_URL.cluster)).toBe(0);
    expect(firstOf(TYPE_URL.endpoint)).toBeGreaterThan(firstOf(TYPE_URL.cluster));
    expect(firstOf(TYPE_URL.listener)).toBeGreaterThan(firstOf(TYPE_URL.endpoint));
    expect(firstOf(TYPE_URL.route)).toBeGreaterThan(firstOf(TYPE_URL.listener));
    expect(ads.filter((entry) => entry.request.node)).toHaveLength(1);
    const node = ads[0]!.request.node as JsonObject;
    expect(node).toMatchObject({ ...istio.gatewayNode(), user_agent_name: 'envoy' });
    const eds = ads.find((entry) => entry.request.type_url === TYPE_URL.endpoint)!;
    expect([...(eds.request.resource_names_subscribe as string[])].sort()).toEqual(istio.istiodRaw('endpoints').map((assignment) => assignment.name).sort());
    const sds = gateway.plane.requests.filter((entry) => entry.method === 'StreamSecrets');
    expect(sds[0]?.request.resource_names).toEqual([CERT_SECRET]);
    expect(gateway.plane.nacks()).toEqual([]);
  });

  test('ACKs the first push of each type', async () => {
    const acked = await eventually(
      async () => new Set(gateway.plane.requests.filter((entry) => entry.request.response_nonce && !entry.request.error_detail).map((entry) => String(entry.request.type_url))),
      (types) => types.size === 5,
      SOON,
    );
    expect([...acked].sort()).toEqual(Object.values(TYPE_URL).sort());
  });

  test("is LIVE with the stats pilot-agent's readiness probe reads", async () => {
    expect(await adminGet(gateway, '/ready')).toEqual({ status: 200, body: 'LIVE\n' });
    const ready = await adminGet(gateway, '/stats?usedonly&filter=^(server\\.state|listener_manager\\.workers_started)');
    expect(ready.body).toBe('listener_manager.workers_started: 1\nserver.state: 0\n');
    const updates = await adminGet(gateway, '/stats?usedonly&filter=^(cluster_manager\\.cds|listener_manager\\.lds)\\.(update_success|update_rejected)$');
    expect(updates.body).toMatch(/^cluster_manager\.cds\.update_success: [1-9]\d*$/m);
    expect(updates.body).toMatch(/^listener_manager\.lds\.update_success: [1-9]\d*$/m);
  });

  test("serves the bootstrap's static health listener (15021 /healthz/ready to the agent cluster)", async () => {
    const response = await fetch(`http://127.0.0.1:${gateway.port('0.0.0.0_15021')}/healthz/ready`);
    expect(response.status).toBe(200);
    expect(response.headers.get('server')).toBe('envoy');
  });
});

describe('SIMPLE (SG-S4, SG-S5)', () => {
  test('answers 418 over h2 with the served certificate, through httpbin', async () => {
    const seen = await curl();
    expect(seen).toMatchObject({ outcome: 'response', status: 418, httpVersion: '2', alpn: 'h2', body: "I'm a teapot!" });
    if (seen.outcome !== 'response') throw new Error(seen.detail);
    expect(seen.peer.serialNumber).toBe(serial(chain.server.certPem));
    expect(seen.headers.server).toBe('istio-envoy');
    expect(seen.headers['x-envoy-upstream-service-time']).toMatch(/^\d+$/);
    const sent = upstream.seen[upstream.seen.length - 1]!;
    expect(sent).toMatchObject({
      'x-forwarded-proto': 'https',
      'x-forwarded-for': '127.0.0.1',
      'x-envoy-internal': 'true',
      'x-envoy-attempt-count': '1',
      'x-envoy-decorator-operation': 'httpbin.default.svc.cluster.local:8000/status*',
      host: `${HOST}:${gateway.port(GATEWAY_LISTENER)}`,
    });
    expect(sent['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent['x-forwarded-client-cert']).toBeUndefined();
  });

  test('answers over HTTP/1.1 when the client offers only that', async () => {
    expect(await curl({ alpn: ['http/1.1'] })).toMatchObject({ outcome: 'response', status: 418, httpVersion: '1.1' });
  });

  test('/headers is not routed: 404 from the gateway itself', async () => {
    const before = upstream.seen.length;
    const seen = await curl({ path: '/headers' });
    expect(seen).toMatchObject({ outcome: 'response', status: 404, body: '' });
    if (seen.outcome === 'response') expect(seen.headers.server).toBe('istio-envoy');
    expect(upstream.seen.length).toBe(before);
  });

  test('an unknown SNI matches no filter chain: the connection is closed after the ClientHello', async () => {
    const before = await stat(`listener.${GATEWAY_LISTENER}.no_filter_chain_match`);
    const seen = await curl({ host: 'unknown.example.com' });
    expect(seen).toMatchObject({ outcome: 'reset', phase: 'handshake' });
    expect(await stat(`listener.${GATEWAY_LISTENER}.no_filter_chain_match`)).toBe(before + 1);
  });

  test('...with a TCP reset (RST), as Envoy closes a socket whose ClientHello is still unread', async () => {
    const hello = await clientHelloBytes('unknown.example.com');
    const socket = net.connect(gateway.port(GATEWAY_LISTENER)!, '127.0.0.1');
    socket.write(hello);
    const ending = await new Promise<string>((resolve) => {
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      socket.on('end', () => resolve('FIN'));
      socket.resume();
    });
    socket.destroy();
    expect(ending).toBe('ECONNRESET');
  });
});

describe('MUTUAL (SG-M3, SG-M4, SG-M5)', () => {
  beforeAll(async () => {
    gateway.plane.setSecret(ROOT_SECRET, istio.rootSecret(chain.caChainPem));
    gateway.plane.setResources(TYPE_URL.listener, istio.istiodRaw('listeners-mutual'));
    // The sign that MUTUAL is live: a client without a certificate is refused.
    await eventually(() => curl(), (seen) => seen.outcome === 'tls-alert', { ...SOON, render: outcomeOf, expectation: 'MUTUAL in force' });
  }, 30_000);

  test('without a client certificate: certificate_required (TLS 1.3), handshake_failure (TLS 1.2)', async () => {
    expect(await curl()).toMatchObject({ outcome: 'tls-alert', alert: 'certificate_required', phase: 'first-read', tlsVersion: 'TLSv1.3' });
    expect(await curl({ tlsMax: '1.2' })).toMatchObject({ outcome: 'tls-alert', alert: 'handshake_failure', phase: 'handshake' });
  });

  test('with the client certificate: 418, and httpbin gets the client described in x-forwarded-client-cert', async () => {
    const seen = await curl({ cert: chain.client.certPem, key: chain.client.keyPem });
    expect(seen).toMatchObject({ outcome: 'response', status: 418, alpn: 'h2' });
    const xfcc = String(upstream.seen[upstream.seen.length - 1]!['x-forwarded-client-cert']);
    const encodedPem = chain.client.certPem.replace(/\n/g, '%0A').replace(/ /g, '%20').replace(/\+/g, '%2B').replace(/\//g, '%2F').replace(/=/g, '%3D');
    expect(xfcc).toMatch(/^Hash=[0-9a-f]{64};Cert="[^"]+";Subject="CN=httpbin\.example\.com,O=Dis,L=Springfield,ST=Denial,C=US";URI=;DNS=httpbin\.example\.com$/);
    expect(xfcc).toContain(`;Cert="${encodedPem}";`);
    expect(await curl({ cert: chain.client.certPem, key: chain.client.keyPem, tlsMax: '1.2' })).toMatchObject({ outcome: 'response', status: 418 });
  });

  test('a client certificate from a CA the gateway does not trust: alert unknown_ca, TLS 1.3 and 1.2', async () => {
    const before = await stat(`listener.${GATEWAY_LISTENER}.ssl.fail_verify_error`);
    const foreign = { cert: other.client.certPem, key: other.client.keyPem };
    expect(await curl(foreign)).toMatchObject({ outcome: 'tls-alert', alert: 'unknown_ca', alertNumber: 48, tlsVersion: 'TLSv1.3' });
    expect(await curl({ ...foreign, tlsMax: '1.2' })).toMatchObject({ outcome: 'tls-alert', alert: 'unknown_ca', alertNumber: 48, phase: 'handshake' });
    expect(await stat(`listener.${GATEWAY_LISTENER}.ssl.fail_verify_error`)).toBe(before + 2);
  });

  test('serves exactly tls.crt: a leaf-only tls.crt reaches a client that trusts only the root without its intermediate', async () => {
    const client = { cert: chain.client.certPem, key: chain.client.keyPem };
    gateway.plane.setSecret(CERT_SECRET, istio.certificateSecret(chain.server.certPem, chain.server.keyPem));
    try {
      // OpenSSL would complete the chain from the trusted CAs (the validation context's); Envoy never does.
      const rootOnly = await eventually(() => curl({ ...client, ca: chain.root.certPem }), (seen) => seen.outcome !== 'response', { ...SOON, render: outcomeOf });
      expect(rootOnly).toMatchObject({ outcome: 'untrusted', reason: 'unknown-issuer' });
      expect(await curl(client)).toMatchObject({ outcome: 'response', status: 418 });
    } finally {
      gateway.plane.setSecret(CERT_SECRET, serverSecret(chain));
    }
    await eventually(() => curl({ ...client, ca: chain.root.certPem }), (seen) => seen.outcome === 'response', { ...SOON, render: outcomeOf });
  });
});

describe('OPTIONAL_MUTUAL with subjectAltNames or pins (Envoy makes the certificate mandatory)', () => {
  const SAN_LISTENER = '0.0.0.0_11443';
  const PIN_LISTENER = '0.0.0.0_12443';
  beforeAll(async () => {
    const mutual = istio.istiodJson('listeners-mutual')[0]!;
    const sanChecked = istio.withOptionalClientChecks(istio.onPort(mutual, 11443), { match_subject_alt_names: [{ exact: 'nobody.example.com' }] });
    const pinned = istio.withOptionalClientChecks(istio.onPort(mutual, 12443), { verify_certificate_spki: [crypto.createHash('sha256').update('not a key').digest('base64')] });
    gateway.plane.setResources(TYPE_URL.listener, [...istio.istiodRaw('listeners-mutual'), sanChecked, pinned]);
    await eventually(async () => [gateway.port(SAN_LISTENER), gateway.port(PIN_LISTENER)], (ports) => ports.every(Boolean), SOON);
  }, 30_000);

  const client = () => ({ cert: chain.client.certPem, key: chain.client.keyPem });

  test('no client certificate: refused although require_client_certificate is false', async () => {
    expect(await curl({ listener: SAN_LISTENER })).toMatchObject({ outcome: 'tls-alert', alert: 'certificate_required' });
    expect(await curl({ listener: PIN_LISTENER, tlsMax: '1.2' })).toMatchObject({ outcome: 'tls-alert', alert: 'handshake_failure' });
  });

  test('a SAN that does not match: certificate_unknown (46); a pin that does not match: bad_certificate_hash_value (114)', async () => {
    expect(await curl({ listener: SAN_LISTENER, ...client() })).toMatchObject({ outcome: 'tls-alert', alertNumber: 46 });
    expect(await curl({ listener: SAN_LISTENER, ...client(), tlsMax: '1.2' })).toMatchObject({ outcome: 'tls-alert', alertNumber: 46, phase: 'handshake' });
    expect(await curl({ listener: PIN_LISTENER, ...client() })).toMatchObject({ outcome: 'tls-alert', alertNumber: 114 });
  });
});

describe('secrets pushed later', () => {
  test('a rotated server certificate reaches new handshakes; the listener keeps its socket', async () => {
    const port = gateway.port(GATEWAY_LISTENER);
    const updatesBefore = await stat(`listener.${GATEWAY_LISTENER}.server_ssl_socket_factory.ssl_context_update_by_sds`);
    gateway.plane.setSecret(CERT_SECRET, serverSecret(rotated));
    const client = { cert: chain.client.certPem, key: chain.client.keyPem, ca: rotated.caChainPem };
    const seen = await eventually(() => curl(client), (s) => s.outcome === 'response' && s.peer.serialNumber === serial(rotated.server.certPem), {
      ...SOON,
      render: outcomeOf,
      expectation: 'the rotated certificate served',
    });
    expect(seen).toMatchObject({ outcome: 'response', status: 418 });
    expect(gateway.port(GATEWAY_LISTENER)).toBe(port);
    // Counted per TLS context: the previous listener version, still draining, takes it too.
    expect(await stat(`listener.${GATEWAY_LISTENER}.server_ssl_socket_factory.ssl_context_update_by_sds`)).toBeGreaterThan(updatesBefore);
  });

  test('a listener whose secret has not arrived is warming (refused), and stays so when SDS fails, until the secret comes', async () => {
    const { plane } = gateway;
    plane.setSecret(WARMING_SECRET, null);
    plane.setResources(TYPE_URL.listener, [...istio.istiodRaw('listeners-mutual'), warmingListener()]);
    await eventually(async () => sdsRequestsFor(WARMING_SECRET), (count) => count > 0, SOON);
    expect(await curl({ listener: WARMING_LISTENER })).toMatchObject({ outcome: 'refused' });
    const before = sdsRequestsFor(WARMING_SECRET);
    plane.setSecret(WARMING_SECRET, 'failed to generate secret for proxy from file: context deadline exceeded');
    // The failed stream is retried (a new request for the secret); the listener still warms.
    await eventually(async () => sdsRequestsFor(WARMING_SECRET), (count) => count > before, SOON);
    expect(gateway.logs.join('')).toContain(`StreamSecrets gRPC config stream to sds-grpc closed: 2, failed to generate secret for ${WARMING_SECRET}`);
    expect(await curl({ listener: WARMING_LISTENER })).toMatchObject({ outcome: 'refused' });
    plane.setSecret(WARMING_SECRET, serverSecret(chain));
    const served = await eventually(() => curl({ listener: WARMING_LISTENER }), (seen) => seen.outcome === 'response', { ...SOON, render: outcomeOf });
    expect(served).toMatchObject({ status: 418 });
  }, 30_000);

  test('after the initial fetch timeout the listener starts without its secret: the chain resets connections', async () => {
    const { plane } = gateway;
    const timedOut = istio.withSdsInitialFetchTimeout(istio.withCertSecret(istio.onPort(simpleListener(), 13443), TIMEOUT_SECRET), '1s');
    plane.setSecret(TIMEOUT_SECRET, 'failed to generate secret for proxy from file: context deadline exceeded');
    const pushedAt = Date.now();
    plane.setResources(TYPE_URL.listener, [...istio.istiodRaw('listeners-mutual'), warmingListener(), timedOut]);
    await eventually(async () => gateway.port('0.0.0.0_13443'), (bound) => bound !== undefined, SOON);
    expect(Date.now() - pushedAt).toBeGreaterThanOrEqual(1_000);
    expect(gateway.logs.join('')).toContain(`gRPC config: initial fetch timed out for ${TYPE_URL.secret}`);
    expect(await curl({ listener: '0.0.0.0_13443' })).toMatchObject({ outcome: 'reset', phase: 'handshake' });
  }, 30_000);

  test('an SDS response that is not the secret asked for is NACKed; the served certificate stays', async () => {
    const nacksBefore = gateway.plane.nacks(TYPE_URL.secret).length;
    gateway.plane.setSecret(CERT_SECRET, { ...serverSecret(chain), name: 'file-cert:/etc/elsewhere/tls.crt~/etc/elsewhere/tls.key' });
    try {
      const nack = await eventually(async () => gateway.plane.nacks(TYPE_URL.secret).slice(nacksBefore), (nacks) => nacks.length > 0, SOON);
      expect((nack[0]!.request.error_detail as JsonObject).message).toBe(`Unexpected SDS secret (expecting ${CERT_SECRET}): file-cert:/etc/elsewhere/tls.crt~/etc/elsewhere/tls.key`);
      const seen = await curl({ cert: chain.client.certPem, key: chain.client.keyPem, ca: rotated.caChainPem });
      expect(seen).toMatchObject({ outcome: 'response', status: 418 });
      if (seen.outcome === 'response') expect(seen.peer.serialNumber).toBe(serial(rotated.server.certPem));
    } finally {
      gateway.plane.setSecret(CERT_SECRET, serverSecret(rotated));
    }
  });

  test('a secret that does not load is NACKed and the last good one stays', async () => {
    const nacksBefore = gateway.plane.nacks(TYPE_URL.secret).length;
    gateway.plane.setSecret(CERT_SECRET, istio.certificateSecret(rotated.server.certPem, chain.server.keyPem));
    const nack = await eventually(async () => gateway.plane.nacks(TYPE_URL.secret).slice(nacksBefore), (nacks) => nacks.length > 0, SOON);
    expect(String((nack[0]!.request.error_detail as JsonObject).message)).toContain('Failed to load private key from <inline>');
    expect(gateway.logs.join('')).toContain(`gRPC config for ${TYPE_URL.secret} rejected: Failed to load private key from <inline>`);
    const seen = await curl({ cert: chain.client.certPem, key: chain.client.keyPem, ca: rotated.caChainPem });
    expect(seen).toMatchObject({ outcome: 'response', status: 418 });
    if (seen.outcome === 'response') expect(seen.peer.serialNumber).toBe(serial(rotated.server.certPem));
  });
});

describe('rejected config', () => {
  test('a listener Envoy cannot apply is NACKed with the reason and logged; the others keep serving', async () => {
    const bad = istio.withDuplicateChain(istio.onPort(simpleListener(), 7443));
    const nacksBefore = gateway.plane.nacks(TYPE_URL.listener).length;
    gateway.plane.setResources(TYPE_URL.listener, [...istio.istiodRaw('listeners-mutual'), warmingListener(), bad]);
    const nacks = await eventually(async () => gateway.plane.nacks(TYPE_URL.listener).slice(nacksBefore), (found) => found.length > 0, SOON);
    const reason = "Error adding/updating listener(s) 0.0.0.0_7443: error adding listener '0.0.0.0_7443': multiple filter chains with the same matching rules are defined";
    expect((nacks[0]!.request.error_detail as JsonObject).message).toBe(reason);
    expect(gateway.logs.join('')).toMatch(new RegExp(`\twarning\tenvoy config \\S+\tgRPC config for ${TYPE_URL.listener.replace(/\./g, '\\.')} rejected: ${reason.replace(/[.()]/g, '\\$&')}\t`));
    expect(await curl({ cert: chain.client.certPem, key: chain.client.keyPem, ca: rotated.caChainPem })).toMatchObject({ outcome: 'response', status: 418 });
    const dump = JSON.parse((await adminGet(gateway, '/config_dump?resource=dynamic_listeners')).body) as { configs: JsonObject[] };
    const failed = dump.configs.find((entry) => entry.name === '0.0.0.0_7443');
    expect((failed?.error_state as JsonObject | undefined)?.details).toContain('multiple filter chains');
  });
});

describe('admin', () => {
  test("/certs in Envoy's current format", async () => {
    const { status, body } = await adminGet(gateway, '/certs');
    expect(status).toBe(200);
    expect(body).toContain('"path": "\\u003cinline\\u003e"');
    const certs = JSON.parse(body) as { certificates: Array<{ ca_cert: JsonObject[]; cert_chain: JsonObject[] }> };
    const mutual = certs.certificates.find((entry) => entry.ca_cert.length > 0)!;
    expect(mutual.cert_chain).toEqual([
      {
        path: '<inline>',
        serial_number: serial(rotated.server.certPem),
        subject_alt_names: [{ dns: HOST }],
        days_until_expiration: expect.stringMatching(/^3[67]\d$/),
        valid_from: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        expiration_time: new X509Certificate(rotated.server.certPem).validToDate.toISOString().replace('.000Z', 'Z'),
      },
    ]);
    expect(mutual.ca_cert[0]).toMatchObject({ path: '<inline>', serial_number: serial(chain.intermediate.certPem), subject_alt_names: [] });
    expect(mutual.cert_chain[0]!.serial_number).not.toMatch(/[A-F]/);
    // Every context alive, as Envoy's iterateContexts: without a CA, 9443 (active) and 8443's
    // SIMPLE version (draining since MUTUAL); with one, 8443 (active), 11443 and 12443 (removed, draining).
    expect(certs.certificates.filter((entry) => entry.ca_cert.length === 0)).toHaveLength(2);
    expect(certs.certificates.filter((entry) => entry.ca_cert.length > 0)).toHaveLength(3);
  });

  test('/config_dump redacts private keys as Envoy does and keeps Istio typed configs opaque', async () => {
    const { body } = await adminGet(gateway, '/config_dump');
    const keyBody = (pem: string) => pem.split('\n').filter((line) => line && !line.startsWith('-----'))[1]!;
    for (const docChain of [chain, rotated]) {
      expect(body).not.toContain(keyBody(docChain.server.keyPem));
      expect(body).not.toContain(Buffer.from(docChain.server.keyPem).toString('base64').slice(40, 80));
    }
    const dump = JSON.parse(body) as { configs: JsonObject[] };
    expect(dump.configs.map((config) => config['@type'])).toEqual(
      ['Bootstrap', 'Clusters', 'Listeners', 'ScopedRoutes', 'Routes', 'Secrets'].map((kind) => `type.googleapis.com/envoy.admin.v3.${kind}ConfigDump`),
    );
    const secrets = dump.configs[5]!.dynamic_active_secrets as JsonObject[];
    const served = secrets.find((entry) => entry.name === CERT_SECRET)!;
    const tlsCertificate = (served.secret as JsonObject).tls_certificate as JsonObject;
    expect(tlsCertificate.private_key).toEqual({ inline_bytes: 'W3JlZGFjdGVkXQ==' });
    expect(Buffer.from(String((tlsCertificate.certificate_chain as JsonObject).inline_bytes), 'base64').toString()).toContain('BEGIN CERTIFICATE');
    expect(body).toContain('"@type": "type.googleapis.com/istio.envoy.config.filter.http.alpn.v2alpha1.FilterConfig"');
  });

  test('logs in the format of the bootstrap (Istio text_format), without key material', () => {
    // pilot-agent runs Envoy with -l warning: the stream closure and the NACKs above.
    const lines = gateway.logs.join('').split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z\t(trace|debug|info|warning|error|critical)\tenvoy [a-z_0-9]+ \S+:\d+\t.*\tthread=\d+$/);
    expect(gateway.logs.join('')).not.toContain('PRIVATE KEY');
  });
});

describe('a listener update drains the connections of the old filter chain (drainFilterChains)', () => {
  const DRAIN_TIME_S = 2;
  let drained: Gateway;
  const held: HeldConnection[] = [];
  afterAll(async () => {
    for (const connection of held) connection.close();
    await drained?.close();
  });

  beforeAll(async () => {
    drained = await startGateway({ apiType: 'DELTA_GRPC', statusPort: upstream.port, extraArgs: ['--drain-time-s', String(DRAIN_TIME_S)] });
    drained.plane.setSecret(CERT_SECRET, serverSecret(chain));
    pushIstiodConfig(drained, istio.istiodRaw('listeners-simple'));
    await drained.standIn.whenLive();
  }, 30_000);

  const hold = async (protocol: 'h2' | 'http/1.1') => {
    const connection = await holdConnection({ host: HOST, port: drained.port(GATEWAY_LISTENER)!, address: '127.0.0.1', ca: chain.caChainPem, protocol, timeoutMs: 3_000 });
    held.push(connection);
    return connection;
  };
  const fresh = () => {
    const port = drained.port(GATEWAY_LISTENER)!;
    return probe({ url: `https://${HOST}:${port}/status/418`, resolve: { host: HOST, port, address: '127.0.0.1' }, ca: chain.caChainPem, timeoutMs: 3_000 });
  };

  test('SIMPLE to MUTUAL: HTTP/2 gets GOAWAY with its next answer, HTTP/1.1 connection: close; idle ones close after the drain time', async () => {
    const [h2, h1, idle] = await Promise.all([hold('h2'), hold('http/1.1'), hold('h2')]);
    for (const connection of [h2, h1, idle]) expect(await connection.get('/status/418')).toMatchObject({ outcome: 'response', status: 418 });

    drained.plane.setSecret(ROOT_SECRET, istio.rootSecret(chain.caChainPem));
    drained.plane.setResources(TYPE_URL.listener, istio.istiodRaw('listeners-mutual'));
    await eventually(fresh, (seen) => seen.outcome === 'tls-alert', { ...SOON, render: outcomeOf, expectation: 'MUTUAL in force for new connections' });
    const switchedAt = Date.now();

    // Envoy answers the request that finds the connection draining (the old chain's last), with the drain signal.
    expect(await h2.get('/status/418')).toMatchObject({ outcome: 'response', status: 418 });
    await h2.goaway(2_000);
    expect(await h2.get('/status/418')).toEqual({ outcome: 'not-sent', reason: 'goaway' });
    const last = await h1.get('/status/418');
    expect(last).toMatchObject({ outcome: 'response', status: 418, headers: { connection: 'close' } });
    await h1.closed(2_000);
    expect(await h1.get('/status/418')).toEqual({ outcome: 'not-sent', reason: 'closed' });

    // Nobody asked on this one: no GOAWAY, closed when the drain time is over.
    const closedAt = await idle.closed(DRAIN_TIME_S * 1000 + 3_000);
    expect(idle.goawayAt).toBeNull();
    expect(closedAt - switchedAt).toBeGreaterThan(DRAIN_TIME_S * 1000 - 1_000);
    await h2.closed(1_000);
    await eventually(() => stat(`listener.${GATEWAY_LISTENER}.downstream_cx_active`, drained), (active) => active === 0, SOON);
  }, 30_000);
});

describe('state-of-the-world ADS (ISTIO_DELTA_XDS=false), credentialName secrets over ADS', () => {
  let sotw: Gateway;
  afterAll(async () => sotw?.close());

  beforeAll(async () => {
    sotw = await startGateway({ apiType: 'GRPC', statusPort: upstream.port });
    sotw.plane.setResources(TYPE_URL.secret, [{ name: 'kubernetes://httpbin-credential', ...serverSecret(chain) }]);
    const credential = istio.withCredentialName(simpleListener(), 'httpbin-credential');
    pushIstiodConfig(sotw, [credential, istio.withTlsParams(istio.onPort(credential, 10443), { tls_minimum_protocol_version: 'TLSv1_3' })]);
    await sotw.standIn.whenLive();
  }, 30_000);

  const sotwCurl = (listener: string, extra: Partial<ProbeOptions> = {}) => {
    const port = sotw.port(listener)!;
    return probe({ url: `https://${HOST}:${port}/status/418`, resolve: { host: HOST, port, address: '127.0.0.1' }, ca: chain.caChainPem, timeoutMs: 3_000, ...extra });
  };

  test('the same gateway over StreamAggregatedResources: 418, ACKs with version and nonce, the secret from ADS', async () => {
    expect(await sotwCurl(GATEWAY_LISTENER)).toMatchObject({ outcome: 'response', status: 418, alpn: 'h2' });
    const { plane } = sotw;
    const acks = plane.requests.filter((entry) => entry.method === 'StreamAggregatedResources' && entry.request.response_nonce);
    expect(new Set(acks.map((entry) => entry.request.type_url))).toEqual(new Set(Object.values(TYPE_URL)));
    for (const ack of acks) expect(ack.request.version_info).toMatch(/^v\d+$/);
    const secretRequest = plane.requests.find((entry) => entry.request.type_url === TYPE_URL.secret);
    expect(secretRequest?.request.resource_names).toEqual(['kubernetes://httpbin-credential']);
    expect(plane.requests.some((entry) => entry.method === 'StreamSecrets')).toBe(false);
    expect(plane.nacks()).toEqual([]);
  });

  test('tls_params: a minimum of TLS 1.3 refuses a TLS 1.2 client with protocol_version', async () => {
    expect(await sotwCurl('0.0.0.0_10443', { tlsMax: '1.2' })).toMatchObject({ outcome: 'tls-alert', alert: 'protocol_version' });
    expect(await sotwCurl('0.0.0.0_10443')).toMatchObject({ outcome: 'response', status: 418, tlsVersion: 'TLSv1.3' });
  });

  test('/server_info, and the POST-only /drain_listeners and /quitquitquit', async () => {
    const info = JSON.parse((await adminGet(sotw, '/server_info')).body) as JsonObject;
    expect(info).toMatchObject({ state: 'LIVE', command_line_options: { drain_time: '45s', drain_strategy: 'Immediate', local_address_ip_version: 'v4' } });
    expect(String(info.version)).toMatch(/\/1\.\d+\.\d+\/Clean\/RELEASE\/BoringSSL$/);
    expect((await adminGet(sotw, '/quitquitquit')).status).toBe(405);
    // istiod marks gateway listeners OUTBOUND: an inbound-only drain leaves them serving.
    expect(await adminGet(sotw, '/drain_listeners?inboundonly&graceful', 'POST')).toEqual({ status: 200, body: 'OK\n' });
    expect(await sotwCurl(GATEWAY_LISTENER)).toMatchObject({ outcome: 'response', status: 418 });
    expect(await adminGet(sotw, '/drain_listeners', 'POST')).toEqual({ status: 200, body: 'OK\n' });
    expect(sotw.port(GATEWAY_LISTENER)).toBeUndefined();
    expect(await adminGet(sotw, '/quitquitquit', 'POST')).toEqual({ status: 200, body: 'OK\n' });
    await eventually(() => fetch(`${sotw.adminUrl}/ready`).then(() => 'up', () => 'down'), (state) => state === 'down', SOON);
  });
});
