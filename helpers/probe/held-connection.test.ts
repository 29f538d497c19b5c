// The held connection: requests on one connection only, GOAWAY and the close seen and timed,
// and no request sent once the server said GOAWAY or closed the connection.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { once } from 'node:events';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { makeDocChain, type DocChain } from '../pki';
import { holdConnection } from './held-connection';

const HOST = 'httpbin.example.com';
let chain: DocChain;
let h2Server: http2.Http2SecureServer;
let h1Server: https.Server;
let h2Sessions = 0;
let h1Connections = 0;

// The shared servers listen on first use (a test may run alone).
const listen = async (server: net.Server) => {
  if (!server.listening) {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  }
  return (server.address() as net.AddressInfo).port;
};

beforeAll(async () => {
  chain = await makeDocChain({ keyType: 'ecdsa' });
  const tlsOptions = { cert: chain.server.certPem + chain.intermediate.certPem, key: chain.server.keyPem };
  // /drain answers, then sends GOAWAY and closes the session.
  h2Server = http2.createSecureServer({ ...tlsOptions, allowHTTP1: false }, (req, res) => {
    res.writeHead(418).end('teapot');
    if (req.url === '/drain') req.stream.session?.close();
  });
  h2Server.on('session', () => h2Sessions++);
  h1Server = https.createServer(tlsOptions, (req, res) => {
    res.writeHead(418, req.url === '/drain' ? { connection: 'close' } : {}).end('teapot');
  });
  h1Server.on('secureConnection', () => h1Connections++);
}, 30_000);

afterAll(() => {
  h2Server?.close();
  h1Server?.close();
});

describe('holdConnection', () => {
  test('HTTP/2: answers on one session; after GOAWAY nothing more is sent; the close is timed', async () => {
    const port = await listen(h2Server);
    const held = await holdConnection({ host: HOST, port, address: '127.0.0.1', ca: chain.caChainPem, protocol: 'h2', timeoutMs: 3_000 });
    expect(await held.get('/status/418')).toMatchObject({ outcome: 'response', status: 418, body: 'teapot' });
    expect(await held.get('/drain')).toMatchObject({ outcome: 'response', status: 418 });
    const goawayAt = await held.goaway(2_000);
    expect(await held.get('/status/418')).toEqual({ outcome: 'not-sent', reason: 'goaway' });
    expect(await held.closed(2_000)).toBeGreaterThanOrEqual(goawayAt);
    expect(h2Sessions).toBe(1);
  });

  test('HTTP/1.1: keep-alive on one connection; after connection: close nothing more is sent', async () => {
    const port = await listen(h1Server);
    const held = await holdConnection({ host: HOST, port, address: '127.0.0.1', ca: chain.caChainPem, protocol: 'http/1.1', timeoutMs: 3_000 });
    expect(await held.get('/status/418')).toMatchObject({ outcome: 'response', status: 418 });
    expect(await held.get('/drain')).toMatchObject({ outcome: 'response', status: 418, headers: { connection: 'close' } });
    await held.closed(2_000);
    expect(await held.get('/status/418')).toEqual({ outcome: 'not-sent', reason: 'closed' });
    expect(held.goawayAt).toBeNull();
    expect(h1Connections).toBe(1);
  });

  test('a handshake the server refuses rejects (no connection to hold)', async () => {
    const strict = https.createServer({ cert: chain.server.certPem, key: chain.server.keyPem, minVersion: 'TLSv1.3' });
    try {
      const port = await listen(strict);
      await expect(holdConnection({ host: HOST, port, address: '127.0.0.1', ca: chain.caChainPem, protocol: 'h2', tlsMax: '1.2', timeoutMs: 3_000 })).rejects.toThrow(/protocol version|alert/i);
    } finally {
      strict.close();
    }
  });

  test('a server that picks no protocol from the offer is refused, naming both', async () => {
    // A TLS server without ALPN (Node's https server would refuse h2 with an alert instead).
    const plain = tls.createServer({ cert: chain.server.certPem + chain.intermediate.certPem, key: chain.server.keyPem }, (socket) => socket.end());
    try {
      const port = await listen(plain);
      await expect(holdConnection({ host: HOST, port, address: '127.0.0.1', ca: chain.caChainPem, protocol: 'h2', timeoutMs: 3_000 })).rejects.toThrow('the server chose ALPN false, not h2');
    } finally {
      plain.close();
    }
  });

  test('a server that never answers the handshake: rejected after timeoutMs', async () => {
    const silent = net.createServer(() => undefined);
    try {
      const port = await listen(silent);
      await expect(holdConnection({ host: HOST, port, address: '127.0.0.1', ca: chain.caChainPem, protocol: 'h2', timeoutMs: 100 })).rejects.toThrow('no TLS handshake within 100 ms');
    } finally {
      silent.close();
    }
  });

  test('no GOAWAY nor close within the wait: each rejects; after close() nothing is sent', async () => {
    const port = await listen(h2Server);
    const held = await holdConnection({ host: HOST, port, address: '127.0.0.1', ca: chain.caChainPem, protocol: 'h2', tlsMax: '1.3', timeoutMs: 3_000 });
    await expect(held.goaway(50)).rejects.toThrow('no GOAWAY within 50 ms');
    await expect(held.closed(50)).rejects.toThrow('no close within 50 ms');
    expect(held.goawayAt).toBeNull();
    held.close();
    await held.closed(2_000);
    expect(held.closedAt).not.toBeNull();
    expect(await held.get('/status/418')).toEqual({ outcome: 'not-sent', reason: 'closed' });
  });

  test('HTTP/1.1: an answer that does not come within timeoutMs is a failure', async () => {
    const slow = https.createServer({ cert: chain.server.certPem + chain.intermediate.certPem, key: chain.server.keyPem }, () => undefined);
    try {
      const port = await listen(slow);
      const held = await holdConnection({ host: HOST, port, address: '127.0.0.1', ca: chain.caChainPem, protocol: 'http/1.1', tlsMax: '1.2', timeoutMs: 100 });
      expect(await held.get('/status/418')).toEqual({ outcome: 'failed', detail: 'no answer within 100 ms' });
      held.close();
    } finally {
      slow.closeAllConnections();
      slow.close();
    }
  });
});
