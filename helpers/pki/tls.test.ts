// SG-C1 in use: the chain in a real TLS handshake, both ways (the server and the client verified),
// between a Node tls server and client on loopback.
import { afterEach, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { makeDocChain, type DocChain } from './index';

// RSA key generation is random and shares 2 cores with other work: give it room (the budget is
// measured by scripts/bench-certs, not here).
jest.setTimeout(30_000);

const HOST = 'httpbin.example.com';
const servers: tls.Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

interface Refusal {
  code?: string;
  /** The server's verdict on the client certificate (Node checks it after the handshake). */
  authorizationError?: string;
}

/** A server like the gateway in MUTUAL mode: its cert and key, clients verified against ca-chain. */
async function mutualServer(chain: DocChain): Promise<{ port: number; nextRefusal: Promise<Refusal> }> {
  const server = tls.createServer(
    { cert: chain.server.certPem, key: chain.server.keyPem, ca: chain.caChainPem, requestCert: true, rejectUnauthorized: true },
    (socket) => socket.end(`hello ${socket.getPeerCertificate().subject.CN}`),
  );
  const nextRefusal = once(server, 'tlsClientError').then(([error, socket]) => ({
    code: (error as NodeJS.ErrnoException).code,
    authorizationError: (socket as tls.TLSSocket).authorizationError?.toString(),
  }));
  nextRefusal.catch(() => undefined); // unused when the server refuses nobody
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, nextRefusal };
}

interface Outcome {
  body?: string;
  error?: NodeJS.ErrnoException;
  peerCN?: string;
  peerIssuerCN?: string;
}

/** The doc's curl: trust only the chain, SNI the host, optionally a client cert; read the answer. */
function connect(port: number, trust: DocChain, client?: { certPem: string; keyPem: string }): Promise<Outcome> {
  return new Promise((resolve) => {
    const outcome: Outcome = {};
    let body = '';
    const socket = tls.connect({ host: '127.0.0.1', port, servername: HOST, ca: trust.caChainPem, ...(client ? { cert: client.certPem, key: client.keyPem } : {}) });
    socket.on('secureConnect', () => {
      const peer = socket.getPeerCertificate();
      outcome.peerCN = String(peer.subject.CN);
      outcome.peerIssuerCN = String(peer.issuer.CN);
    });
    socket.on('data', (chunk: Buffer) => (body += chunk.toString()));
    socket.on('end', () => resolve({ ...outcome, body }));
    socket.on('error', (error) => {
      socket.destroy();
      resolve({ ...outcome, error });
    });
  });
}

describe('SG-C1 the chain in a TLS handshake', () => {
  let chain: DocChain;
  let other: DocChain;
  beforeAll(async () => {
    [chain, other] = await Promise.all([makeDocChain(), makeDocChain({ namePrefix: 'Other ' })]);
  });

  test('both sides verify: the client trusts the server, the server the client certificate', async () => {
    const { port } = await mutualServer(chain);
    const outcome = await connect(port, chain, chain.client);
    expect(outcome.error).toBeUndefined();
    expect(outcome).toMatchObject({ body: `hello ${HOST}`, peerCN: HOST, peerIssuerCN: `${HOST} Intermediate CA` });
  });

  test('an ECDSA chain works the same way', async () => {
    const ecdsa = await makeDocChain({ keyType: 'ecdsa' });
    const { port } = await mutualServer(ecdsa);
    const outcome = await connect(port, ecdsa, ecdsa.client);
    expect(outcome).toMatchObject({ body: `hello ${HOST}`, peerCN: HOST });
    expect(outcome.error).toBeUndefined();
  });

  test('without a client certificate the server refuses (certificate_required under TLS 1.3)', async () => {
    const { port, nextRefusal } = await mutualServer(chain);
    const outcome = await connect(port, chain);
    expect(outcome.error?.code).toBe('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
    expect(await nextRefusal).toMatchObject({ code: 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE' });
  });

  test('a client certificate from a second, unrelated chain is refused by the server', async () => {
    const { port, nextRefusal } = await mutualServer(chain);
    const outcome = await connect(port, chain, other.client);
    // Node's server checks the client certificate after the handshake and closes without an alert
    // (Envoy sends unknown_ca): the client gets no answer; the server could not verify the cert.
    expect(outcome).toMatchObject({ peerCN: HOST, body: '' });
    expect(await nextRefusal).toEqual({ code: 'ECONNRESET', authorizationError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  test("the second chain's server certificate is not trusted by a client holding the first chain", async () => {
    const { port } = await mutualServer(other);
    const outcome = await connect(port, chain, chain.client);
    expect(outcome.peerCN).toBeUndefined();
    // Node's server sends the chain it builds from its ca option, so the client meets the other root.
    expect(outcome.error?.code).toBe('SELF_SIGNED_CERT_IN_CHAIN');
  });
});
