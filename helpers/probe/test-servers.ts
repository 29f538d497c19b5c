// Servers for the probe's own tests, all on 127.0.0.1 with ephemeral ports: Node TLS servers that
// answer like httpbin, `openssl s_server -www`, and raw TCP servers that misbehave on purpose.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { eventually } from '../eventually';

export interface TestServer {
  port: number;
  /** The SNI of each TLS connection a Node server accepted (false: none sent). */
  servernames: Array<string | false>;
  close(): Promise<void>;
}

export const TEAPOT_BODY = "I'm a teapot!";

/** What the handler needs of a request and a response, HTTP/1.1 or HTTP/2. */
interface Exchange {
  request: { url?: string };
  response: { writeHead(status: number, headers: Record<string, string>): unknown; end(body: string): unknown };
}

/** go-httpbin's /status/418, and 200 "ok" elsewhere. */
function httpbin(request: Exchange['request'], response: Exchange['response']): void {
  if (request.url === '/status/418') {
    response.writeHead(418, { 'x-more-info': 'http://tools.ietf.org/html/rfc2324', 'content-type': 'text/plain; charset=utf-8' });
    response.end(TEAPOT_BODY);
  } else {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end('ok');
  }
}

export type NodeTlsServerOptions = https.ServerOptions & http2.SecureServerOptions;

/** An https (HTTP/1.1) or http2 (h2, allowHTTP1) server with the httpbin handler. */
export async function startNodeServer(kind: 'https' | 'http2', options: NodeTlsServerOptions): Promise<TestServer> {
  const server = kind === 'https' ? https.createServer(options, httpbin) : http2.createSecureServer({ ...options, allowHTTP1: true }, httpbin);
  return listening(server);
}

/** A TCP server whose connections get `onConnection`: to reset, close or ignore them. */
export async function startRawServer(onConnection: (socket: net.Socket) => void): Promise<TestServer> {
  return listening(net.createServer(onConnection));
}

/** Listens on an ephemeral loopback port; close() also ends the connections still open. */
async function listening(server: net.Server): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const servernames: Array<string | false> = [];
  server.on('secureConnection', (socket: TLSSocket) => servernames.push(socket.servername ?? false));
  // A test client that gives up mid-handshake is not a failure of the server.
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    servernames,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nobody listens on: bound once, then released. */
export async function closedPort(): Promise<number> {
  const server = await listening(net.createServer());
  await server.close();
  return server.port;
}

/**
 * `openssl s_server -www` on an ephemeral port, with extra flags (e.g. -Verify 1
 * -verify_return_error -CAfile F). Its port is read from its "ACCEPT host:port" line, polled.
 */
export async function startOpensslServer(flags: string[]): Promise<TestServer> {
  const child = spawn('openssl', ['s_server', '-accept', '127.0.0.1:0', '-www', ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit');
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  try {
    const port = await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`openssl s_server exited ${child.exitCode}: ${output.trim()}`);
        return Number(/ACCEPT [^\s]*:(\d+)/.exec(output)?.[1] ?? NaN);
      },
      (value) => Number.isInteger(value),
      { budgetMs: 10_000, converge: 1, initialDelayMs: 5, maxDelayMs: 50, expectation: 'openssl s_server listening' },
    );
    return { port, servernames: [], close: stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
