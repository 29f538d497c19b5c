// The handshake guard refuses client certificates with genuine TLS alerts, as Envoy does: the same
// alert OpenSSL's own server (`s_server -verify_return_error`, the oracle) sends for the same
// certificate, over TLS 1.3 and 1.2, seen by Node's OpenSSL (the probe) and by curl's.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { issueCertificate, makeDocChain, writeDocLayout, type CertKeyPair, type DocChain } from '../../../helpers/pki';
import { probe, type Observation, type TlsVersionBound } from '../../../helpers/probe';
import { startOpensslServer, type TestServer } from '../../../helpers/probe/test-servers';
import { HandshakeGuard } from './handshake-guard';
import { validationPolicy } from './peer-verify';

const HOST = 'httpbin.example.com';
const DAY_MS = 86_400_000;
let chain: DocChain;
let tmp: string;
const clients: Record<string, CertKeyPair> = {};
let guarded: { port: number; close: () => void };
let oracle: TestServer;

/** A TLS server as the stand-in builds it: the guard in front of a Node TLSSocket; answers 418 over HTTP/1.1. */
async function startGuardedServer(): Promise<{ port: number; close: () => void }> {
  // Envoy's default curves: a client offering a P-384 key share gets a HelloRetryRequest.
  const secureContext = tls.createSecureContext({ cert: chain.server.certPem + chain.intermediate.certPem, key: chain.server.keyPem, ca: chain.caChainPem, ecdhCurve: 'X25519:P-256' });
  const policy = validationPolicy({}, chain.caChainPem);
  const server = net.createServer((raw) => {
    raw.on('error', () => undefined);
    const guard = new HandshakeGuard({ raw, initial: Buffer.alloc(0), policy, onRefused: () => undefined });
    const socket = new tls.TLSSocket(guard.transport as unknown as net.Socket, { isServer: true, secureContext, requestCert: true, rejectUnauthorized: true, ALPNProtocols: ['http/1.1'] });
    guard.attach(socket);
    socket.on('error', () => socket.destroy());
    socket.on('secure', () => socket.once('data', () => socket.end("HTTP/1.1 418 I'm a teapot\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

function call(port: number, client: CertKeyPair | null, tlsMax: TlsVersionBound): Promise<Observation> {
  return probe({
    url: `https://${HOST}:${port}/`,
    resolve: { host: HOST, port, address: '127.0.0.1' },
    ca: chain.caChainPem,
    ...(client ? { cert: client.certPem, key: client.keyPem } : {}),
    alpn: ['http/1.1'],
    tlsMax,
    timeoutMs: 3_000,
  });
}

const verdict = (seen: Observation) => (seen.outcome === 'tls-alert' ? seen.alert : seen.outcome === 'response' ? 'accepted' : seen.outcome);

beforeAll(async () => {
  const [docChain, foreign, sameNames] = await Promise.all([makeDocChain(), makeDocChain({ namePrefix: 'Other ' }), makeDocChain()]);
  chain = docChain;
  const leaf = { issuer: chain.intermediate, subject: { CN: HOST }, dnsNames: [HOST], keyType: 'ecdsa' as const };
  const [expired, serverOnly, encipherOnly, serverOnlyCa] = await Promise.all([
    issueCertificate({ ...leaf, extendedKeyUsage: ['clientAuth'], notBefore: new Date(Date.now() - 10 * DAY_MS), notAfter: new Date(Date.now() - DAY_MS) }),
    issueCertificate({ ...leaf, extendedKeyUsage: ['serverAuth'] }),
    issueCertificate({ ...leaf, keyUsage: ['keyEncipherment'] }),
    issueCertificate({ issuer: chain.intermediate, subject: { CN: 'Server-only CA' }, ca: {}, keyType: 'ecdsa', extendedKeyUsage: ['serverAuth'] }),
  ]);
  // A client under a CA whose extendedKeyUsage leaves out clientAuth; it sends that CA along.
  const underServerOnlyCa = await issueCertificate({ ...leaf, issuer: serverOnlyCa });
  const viaServerOnlyCa = { certPem: underServerOnlyCa.certPem + serverOnlyCa.certPem, keyPem: underServerOnlyCa.keyPem };
  Object.assign(clients, { valid: chain.client, foreign: foreign.client, sameNames: sameNames.client, expired, serverOnly, encipherOnly, viaServerOnlyCa });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'guard-test-'));
  const files = await writeDocLayout(chain, tmp);
  guarded = await startGuardedServer();
  oracle = await startOpensslServer(['-cert', files.serverCert, '-key', files.serverKey, '-cert_chain', files.intermediateCert, '-Verify', '1', '-verify_return_error', '-CAfile', files.caChain]);
}, 60_000);

afterAll(async () => {
  guarded?.close();
  await oracle?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('client certificate refusals', () => {
  test.each(['1.3', '1.2'] as const)('TLS %s: the same verdict as OpenSSL for each client certificate', async (tlsMax) => {
    const expected: Record<string, string> = {
      valid: 'accepted',
      foreign: 'unknown_ca',
      expired: 'certificate_expired',
      serverOnly: 'unsupported_certificate',
      // The ssl_client purpose: the leaf's keyUsage, and every CA's extendedKeyUsage.
      encipherOnly: 'unsupported_certificate',
      viaServerOnlyCa: 'unsupported_certificate',
    };
    for (const [name, client] of Object.entries(clients)) {
      const [ours, openssl] = await Promise.all([call(guarded.port, client, tlsMax), call(oracle.port, client, tlsMax)]);
      expect({ name, verdict: verdict(ours) }).toEqual({ name, verdict: verdict(openssl) });
      if (expected[name]) expect({ name, verdict: verdict(ours) }).toEqual({ name, verdict: expected[name] });
    }
  }, 30_000);

  test('after a HelloRetryRequest (the client guessed a key share the server does not take) the refusal is the same', async () => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port: guarded.port,
      servername: HOST,
      ca: chain.caChainPem,
      cert: clients.foreign!.certPem,
      key: clients.foreign!.keyPem,
      ecdhCurve: 'P-384:P-256',
    });
    const failure = await new Promise<NodeJS.ErrnoException>((resolve) => {
      socket.on('error', resolve);
      socket.on('secureConnect', () => socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n'));
    });
    socket.destroy();
    expect(failure.code).toBe('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA');
  });

  test('without a certificate OpenSSL itself refuses: certificate_required (1.3), handshake_failure (1.2)', async () => {
    expect(await call(guarded.port, null, '1.3')).toMatchObject({ outcome: 'tls-alert', alert: 'certificate_required', phase: 'first-read' });
    expect(await call(guarded.port, null, '1.2')).toMatchObject({ outcome: 'tls-alert', alert: 'handshake_failure', phase: 'handshake' });
  });

  test("curl (the system OpenSSL) reads the refusal as the doc's users would: exit 56 / 35, tlsv1 alert unknown ca", async () => {
    const dir = await mkdtemp(path.join(tmp, 'curl-'));
    await writeFile(path.join(dir, 'ca.pem'), chain.caChainPem);
    await writeFile(path.join(dir, 'client.pem'), clients.foreign!.certPem);
    await writeFile(path.join(dir, 'client.key'), clients.foreign!.keyPem, { mode: 0o600 });
    const curl = async (...versionFlags: string[]) => {
      const child = spawn('curl', [
        '-sS',
        ...versionFlags,
        '--resolve',
        `${HOST}:${guarded.port}:127.0.0.1`,
        '--cacert',
        path.join(dir, 'ca.pem'),
        '--cert',
        path.join(dir, 'client.pem'),
        '--key',
        path.join(dir, 'client.key'),
        `https://${HOST}:${guarded.port}/`,
      ]);
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const [code] = (await once(child, 'exit')) as [number];
      return { code, stderr };
    };
    const tls13 = await curl('--tlsv1.3');
    expect(tls13.code).toBe(56);
    expect(tls13.stderr).toContain('tlsv1 alert unknown ca');
    const tls12 = await curl('--tls-max', '1.2');
    expect(tls12.code).toBe(35);
    expect(tls12.stderr).toContain('tlsv1 alert unknown ca');
  }, 20_000);
});
