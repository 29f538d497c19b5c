// The probe against real servers on loopback: Node TLS servers, `openssl s_server`, and TCP servers
// that misbehave. Each outcome at least once, TLS 1.2 and 1.3, as the doc's steps will see them.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { certificateSummary, issueCertificate, makeDocChain, writeDocLayout, type CertKeyPair, type DocChain } from '../pki';
import { probe, renderObservation, type Observation, type ProbeOptions } from './index';
import { closedPort, startNodeServer, startOpensslServer, startRawServer, TEAPOT_BODY, type TestServer } from './test-servers';

const HOST = 'httpbin.example.com';
const DAY_MS = 86_400_000;
let chain: DocChain; // the doc's chain (RSA, as the doc)
let other: DocChain; // a second chain whose names differ from the doc's
let tmp: string;
const servers: TestServer[] = [];
const ports: Record<string, number> = {};

async function serve(name: string, start: Promise<TestServer>): Promise<void> {
  const server = await start;
  servers.push(server);
  ports[name] = server.port;
}

/** The doc's curl against one of the servers: SNI = HOST, dialled at 127.0.0.1, trusting ca-chain. */
function curl(server: string, extra: Partial<ProbeOptions> = {}): Promise<Observation> {
  const port = ports[server]!;
  return probe({
    url: `https://${HOST}:${port}/status/418`,
    resolve: { host: HOST, port, address: '127.0.0.1' },
    ca: chain.caChainPem,
    timeoutMs: 2_000,
    ...extra,
  });
}

/** A pair as Node's TLS options (and the probe's) take it: the server's own, or a client cert. */
const certAndKey = (pair: CertKeyPair) => ({ cert: pair.certPem, key: pair.keyPem });

beforeAll(async () => {
  [chain, other] = await Promise.all([makeDocChain(), makeDocChain({ namePrefix: 'Other ', keyType: 'ecdsa' })]);
  const leaf = { issuer: chain.intermediate, keyType: 'ecdsa' as const, extendedKeyUsage: ['serverAuth' as const] };
  const [withIpSan, wrongHost, expired, selfSigned] = await Promise.all([
    issueCertificate({ ...leaf, subject: { CN: HOST }, dnsNames: [HOST], ipAddresses: ['127.0.0.1'] }),
    issueCertificate({ ...leaf, subject: { CN: 'other.example.com' }, dnsNames: ['other.example.com'] }),
    issueCertificate({ ...leaf, subject: { CN: HOST }, dnsNames: [HOST], notBefore: new Date(Date.now() - 10 * DAY_MS), notAfter: new Date(Date.now() - DAY_MS) }),
    issueCertificate({ keyType: 'ecdsa', subject: { CN: HOST }, dnsNames: [HOST], extendedKeyUsage: ['serverAuth'] }),
  ]);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'probe-test-'));
  const files = await writeDocLayout(chain, tmp);
  const mutual = { ...certAndKey(chain.server), ca: chain.caChainPem, requestCert: true };
  const openssl = ['-cert', files.serverCert, '-key', files.serverKey];
  await Promise.all([
    serve('simple', startNodeServer('http2', certAndKey(chain.server))),
    serve('h1only', startNodeServer('https', certAndKey(chain.server))),
    serve('tls12only', startNodeServer('https', { ...certAndKey(chain.server), maxVersion: 'TLSv1.2' })),
    serve('mutual', startNodeServer('http2', { ...mutual, rejectUnauthorized: true })),
    serve('optional', startNodeServer('https', { ...mutual, rejectUnauthorized: false })),
    serve('foreignServer', startNodeServer('https', certAndKey(other.server))),
    serve('withIpSan', startNodeServer('http2', certAndKey(withIpSan))),
    serve('wrongHost', startNodeServer('https', certAndKey(wrongHost))),
    serve('expired', startNodeServer('https', certAndKey(expired))),
    serve('selfSigned', startNodeServer('https', certAndKey(selfSigned))),
    serve('opensslMutual', startOpensslServer([...openssl, '-CAfile', files.caChain, '-Verify', '1', '-verify_return_error'])),
    serve('opensslNoTickets', startOpensslServer([...openssl, '-num_tickets', '0'])),
    serve('closeOnHello', startRawServer((socket) => socket.once('data', () => socket.destroy()))),
    serve('resetOnHello', startRawServer((socket) => socket.once('data', () => socket.resetAndDestroy()))),
    serve('silent', startRawServer(() => undefined)),
  ]);
  ports.closed = await closedPort();
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('a response (SG-S4, SG-M4)', () => {
  test('h2 by default, as the doc shows HTTP/2 418, with the peer certificate', async () => {
    const seen = await curl('simple');
    expect(seen).toMatchObject({ outcome: 'response', status: 418, httpVersion: '2', alpn: 'h2', tlsVersion: 'TLSv1.3', body: TEAPOT_BODY, bodyTruncated: false });
    if (seen.outcome !== 'response') return;
    const served = certificateSummary(chain.server.certPem);
    expect(seen.peer.subject.CN).toBe(HOST);
    expect(seen.peer.issuer.CN).toBe(certificateSummary(chain.intermediate.certPem).subject.CN);
    expect(seen.peer.serialNumber).toBe(served.serialNumber);
    expect(seen.peer.serialNumber).toMatch(/^[0-9a-f]+$/);
    expect(seen.peer.subjectAltNames).toEqual([`DNS:${HOST}`]);
    expect(seen.peer.validTo).toBe(served.notAfter.toISOString());
    expect(seen.headers['x-more-info']).toBe('http://tools.ietf.org/html/rfc2324');
    expect(renderObservation(seen)).toMatch(/^HTTP\/2 418, TLSv1\.3, ALPN h2, peer CN=httpbin\.example\.com issued by CN=httpbin\.example\.com Intermediate CA, /);
  });

  test('--http1.1 offers only http/1.1 and gets HTTP/1.1 from the same server', async () => {
    expect(await curl('simple', { alpn: ['http/1.1'] })).toMatchObject({ outcome: 'response', status: 418, httpVersion: '1.1', alpn: 'http/1.1', body: TEAPOT_BODY });
  });

  test('an HTTP/1.1-only server answers HTTP/1.1 to a client offering h2', async () => {
    expect(await curl('h1only')).toMatchObject({ outcome: 'response', status: 418, httpVersion: '1.1', alpn: 'http/1.1' });
  });

  test.each([['1.2', 'TLSv1.2'], ['1.3', 'TLSv1.3']] as const)('TLS bounded to %s', async (version, expected) => {
    expect(await curl('simple', { tlsMin: version, tlsMax: version })).toMatchObject({ outcome: 'response', status: 418, tlsVersion: expected });
  });

  test('the body is captured up to bodyLimit', async () => {
    expect(await curl('simple', { bodyLimit: 5 })).toMatchObject({ outcome: 'response', body: "I'm a", bodyTruncated: true });
  });

  test('SNI is the URL host, never the dialled address; none for an IP URL', async () => {
    const server = servers.find((candidate) => candidate.port === ports.withIpSan)!;
    expect(await curl('withIpSan')).toMatchObject({ outcome: 'response', address: '127.0.0.1' });
    // An IP URL: no SNI (TLS forbids IP literals there), and the cert must name the IP.
    const byAddress = await probe({ url: `https://127.0.0.1:${ports.withIpSan}/status/418`, ca: chain.caChainPem, timeoutMs: 2_000 });
    expect(byAddress).toMatchObject({ outcome: 'response', status: 418 });
    expect(server.servernames).toEqual([HOST, false]);
    // The doc's server cert does not name the IP.
    expect(await probe({ url: `https://127.0.0.1:${ports.simple}/`, ca: chain.caChainPem, timeoutMs: 2_000 })).toMatchObject({
      outcome: 'untrusted',
      reason: 'hostname-mismatch',
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
  });

  test('a TLS 1.3 server without session tickets is still read, after the accept window', async () => {
    const seen = await curl('opensslNoTickets', { acceptWindowMs: 100 });
    expect(seen).toMatchObject({ outcome: 'response', status: 200, httpVersion: '1.0', tlsVersion: 'TLSv1.3', alpn: null });
    expect(seen.elapsedMs).toBeGreaterThanOrEqual(100);
  });
});

describe('client certificates (SG-M3, SG-M4, SG-M5)', () => {
  test('MUTUAL without a client cert, TLS 1.3: certificate_required on first read', async () => {
    const seen = await curl('mutual');
    expect(seen).toMatchObject({ outcome: 'tls-alert', alert: 'certificate_required', alertNumber: 116, phase: 'first-read', tlsVersion: 'TLSv1.3', code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' });
    expect(renderObservation(seen)).toBe('TLS alert certificate_required from the server on first read (TLSv1.3)');
  });

  test('MUTUAL without a client cert, TLS 1.2: handshake_failure in the handshake', async () => {
    const seen = await curl('mutual', { tlsMax: '1.2' });
    expect(seen).toMatchObject({ outcome: 'tls-alert', alert: 'handshake_failure', alertNumber: 40, phase: 'handshake', tlsVersion: 'TLSv1.2' });
  });

  test.each(['1.2', '1.3'] as const)('MUTUAL with the client cert, TLS %s: the teapot', async (version) => {
    expect(await curl('mutual', { tlsMax: version, ...certAndKey(chain.client) })).toMatchObject({ outcome: 'response', status: 418, body: TEAPOT_BODY });
  });

  test('optional client cert (requestCert without reject): answered with and without one', async () => {
    expect(await curl('optional')).toMatchObject({ outcome: 'response', status: 418 });
    expect(await curl('optional', certAndKey(chain.client))).toMatchObject({ outcome: 'response', status: 418 });
  });

  test('openssl s_server, TLS 1.3: no cert is certificate_required, a foreign cert unknown_ca, on first read', async () => {
    expect(await curl('opensslMutual')).toMatchObject({ outcome: 'tls-alert', alert: 'certificate_required', phase: 'first-read' });
    expect(await curl('opensslMutual', certAndKey(other.client))).toMatchObject({ outcome: 'tls-alert', alert: 'unknown_ca', alertNumber: 48, phase: 'first-read', tlsVersion: 'TLSv1.3' });
  });

  test('openssl s_server, TLS 1.2: no cert is handshake_failure, a foreign cert unknown_ca, in the handshake', async () => {
    expect(await curl('opensslMutual', { tlsMax: '1.2' })).toMatchObject({ outcome: 'tls-alert', alert: 'handshake_failure', phase: 'handshake' });
    expect(await curl('opensslMutual', { tlsMax: '1.2', ...certAndKey(other.client) })).toMatchObject({ outcome: 'tls-alert', alert: 'unknown_ca', phase: 'handshake' });
  });

  test('openssl s_server with the client cert: answered (s_server -www speaks HTTP/1.0)', async () => {
    expect(await curl('opensslMutual', certAndKey(chain.client))).toMatchObject({ outcome: 'response', status: 200, httpVersion: '1.0' });
  });

  test('a Node server refuses a foreign client cert by closing, without an alert', async () => {
    // Node checks client certs after the handshake and destroys the socket: no unknown_ca.
    expect(await curl('mutual', certAndKey(other.client))).toMatchObject({ outcome: 'reset', phase: 'first-read', code: 'EOF' });
  });

  test('TLS min 1.3 against a server capped at 1.2: protocol_version in the handshake', async () => {
    expect(await curl('tls12only', { tlsMin: '1.3' })).toMatchObject({ outcome: 'tls-alert', alert: 'protocol_version', phase: 'handshake', tlsVersion: null });
  });
});

describe('the server certificate not trusted (curl exit 60)', () => {
  test('from another chain: unknown-issuer, with the peer shown', async () => {
    const seen = await curl('foreignServer');
    expect(seen).toMatchObject({ outcome: 'untrusted', reason: 'unknown-issuer', peer: { issuer: { CN: `Other ${HOST} Intermediate CA` } } });
  });

  test('for another host: hostname-mismatch', async () => {
    expect(await curl('wrongHost')).toMatchObject({ outcome: 'untrusted', reason: 'hostname-mismatch', peer: { subject: { CN: 'other.example.com' } } });
  });

  test('expired: expired', async () => {
    expect(await curl('expired')).toMatchObject({ outcome: 'untrusted', reason: 'expired', code: 'CERT_HAS_EXPIRED' });
  });

  test('self-signed: self-signed', async () => {
    expect(await curl('selfSigned')).toMatchObject({ outcome: 'untrusted', reason: 'self-signed', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });
});

describe('network outcomes', () => {
  test('a closed port: refused', async () => {
    expect(await curl('closed')).toMatchObject({ outcome: 'refused', phase: 'connect', code: 'ECONNREFUSED', address: '127.0.0.1' });
  });

  test.each(['closeOnHello', 'resetOnHello'])('a server that drops the ClientHello (%s), as Envoy for an unknown SNI: reset', async (server) => {
    expect(await curl(server)).toMatchObject({ outcome: 'reset', phase: 'handshake', code: 'ECONNRESET' });
  });

  test('a server that never answers: timeout within timeoutMs', async () => {
    const seen = await curl('silent', { timeoutMs: 150 });
    expect(seen).toMatchObject({ outcome: 'timeout', phase: 'handshake' });
    expect(seen.elapsedMs).toBeGreaterThanOrEqual(140);
    expect(seen.elapsedMs).toBeLessThan(1_000);
  });

  test('a host that does not resolve: dns', async () => {
    expect(await probe({ url: 'https://nothing.invalid/', timeoutMs: 2_000 })).toMatchObject({ outcome: 'dns', phase: 'dns', code: 'ENOTFOUND' });
  });

  test('resolve maps only its own host:port, as curl --resolve', async () => {
    const seen = await probe({ url: 'https://nothing.invalid:8443/', resolve: { host: 'nothing.invalid', port: 443, address: '127.0.0.1' }, timeoutMs: 2_000 });
    expect(seen).toMatchObject({ outcome: 'dns', address: null });
  });
});
