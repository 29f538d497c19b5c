// tls_inspector's reading of real ClientHellos (Node's client, as the probe sends them): SNI and
// ALPN whole, in pieces, or absent; what is not TLS is said to be so.
import { describe, expect, test } from '@jest/globals';
import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { peekClientHello } from './client-hello';

/** The first bytes a Node TLS client sends, caught by a TCP server that never answers. */
async function clientHelloBytes(options: tls.ConnectionOptions): Promise<Buffer> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[net.Socket]>;
  const client = tls.connect({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port, ...options });
  client.on('error', () => undefined);
  const [socket] = await accepted;
  const [chunk] = (await once(socket, 'data')) as [Buffer];
  client.destroy();
  socket.destroy();
  server.close();
  return chunk;
}

describe('peekClientHello', () => {
  test('reads SNI, ALPN and the offered versions', async () => {
    const bytes = await clientHelloBytes({ servername: 'HTTPBIN.example.com', ALPNProtocols: ['h2', 'http/1.1'] });
    expect(peekClientHello(bytes)).toEqual({
      kind: 'tls',
      hello: { serverName: 'httpbin.example.com', alpn: ['h2', 'http/1.1'], versions: ['TLSv1.3', 'TLSv1.2'] },
    });
  });

  test('needs more bytes until the whole ClientHello is there, whatever the split', async () => {
    const bytes = await clientHelloBytes({ servername: 'httpbin.example.com' });
    for (const cut of [1, 5, 40, bytes.length - 1]) expect(peekClientHello(bytes.subarray(0, cut))).toEqual({ kind: 'need-more' });
    expect(peekClientHello(bytes)).toMatchObject({ kind: 'tls', hello: { serverName: 'httpbin.example.com', alpn: [] } });
  });

  test('a client without SNI (an IP address) has no server name', async () => {
    const bytes = await clientHelloBytes({ maxVersion: 'TLSv1.2' });
    expect(peekClientHello(bytes)).toMatchObject({ kind: 'tls', hello: { serverName: null, versions: ['TLSv1.2'] } });
  });

  test('plain HTTP and garbage are not TLS', () => {
    expect(peekClientHello(Buffer.from('GET / HTTP/1.1\r\n'))).toMatchObject({ kind: 'not-tls' });
    expect(peekClientHello(Buffer.from([0x16, 0x07, 0x00]))).toMatchObject({ kind: 'not-tls' });
    expect(peekClientHello(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00]))).toMatchObject({ kind: 'not-tls' });
  });
});
