// The held connection: requests on one connection only, GOAWAY and the close seen and timed,
// and no request sent once the server said GOAWAY or closed the connection.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { once } from 'node:events';
import http2 from 'node:http2';
import https from 'node:https';
import type net from 'node:net';
import { makeDocChain, type DocChain } from '../pki';
import { holdConnection } from './held-connection';

const HOST = 'httpbin.example.com';
let chain: DocChain;
let h2Server: http2.Http2SecureServer;
let h1Server: https.Server;
let h2Sessions = 0;
let h1Connections = 0;

const listen = async (server: net.Server) => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
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
});
