// One TLS connection to the gateway held open across steps, to see what a config change does to
// connections opened before it: Envoy drains them (HTTP/2: GOAWAY; HTTP/1.1: `connection: close`)
// and closes them when its drain time is over. Requests go one at a time on that connection only;
// a request the client cannot send there (GOAWAY received, connection closed) is never retried on
// a new one. The connection does not keep the process alive (a run that stops early just exits).
import { once } from 'node:events';
import http from 'node:http';
import http2 from 'node:http2';
import type net from 'node:net';
import tls from 'node:tls';

export interface HeldConnectionOptions {
  /** The SNI, the :authority / Host and the name the server certificate must carry. */
  host: string;
  port: number;
  /** Where to dial (curl's --resolve). */
  address: string;
  ca: string;
  cert?: string;
  key?: string;
  protocol: 'h2' | 'http/1.1';
  tlsMax?: '1.2' | '1.3';
  /** For the handshake and for each request. */
  timeoutMs: number;
}

export type HeldAnswer =
  | { outcome: 'response'; status: number; body: string; headers: http.IncomingHttpHeaders }
  /** Not sent: the server had sent GOAWAY, or the connection is closed. */
  | { outcome: 'not-sent'; reason: 'goaway' | 'closed' }
  /** Sent, but no answer: reset, refused stream, timeout. */
  | { outcome: 'failed'; detail: string };

export interface HeldConnection {
  readonly protocol: 'h2' | 'http/1.1';
  /** When the server's GOAWAY arrived (HTTP/2), or null. */
  readonly goawayAt: number | null;
  /** When the connection closed, or null while it is open. */
  readonly closedAt: number | null;
  /** GET on this connection (never on another). */
  get(path: string): Promise<HeldAnswer>;
  /** Resolves with goawayAt once a GOAWAY arrives; rejects after timeoutMs. */
  goaway(timeoutMs: number): Promise<number>;
  /** Resolves with closedAt once the connection is closed; rejects after timeoutMs. */
  closed(timeoutMs: number): Promise<number>;
  close(): void;
}

class Timeout extends Error {
  override name = 'Timeout';
}

function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout(`no ${what} within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Opens the connection (TLS, ALPN as asked); rejects if the handshake fails or ALPN differs. */
export async function holdConnection(options: HeldConnectionOptions): Promise<HeldConnection> {
  const socket = tls.connect({
    host: options.address,
    port: options.port,
    servername: options.host,
    ca: options.ca,
    ...(options.cert && options.key ? { cert: options.cert, key: options.key } : {}),
    ...(options.tlsMax ? { maxVersion: options.tlsMax === '1.2' ? 'TLSv1.2' : 'TLSv1.3' } : {}),
    ALPNProtocols: [options.protocol],
  });
  try {
    await within(once(socket, 'secureConnect'), options.timeoutMs, 'TLS handshake');
  } catch (error) {
    socket.destroy();
    throw error;
  }
  if (socket.alpnProtocol !== options.protocol) {
    socket.destroy();
    throw new Error(`the server chose ALPN ${String(socket.alpnProtocol)}, not ${options.protocol}`);
  }
  socket.unref();
  return options.protocol === 'h2' ? holdH2(socket, options) : holdH1(socket, options);
}

/** Shared bookkeeping: when GOAWAY and the close happened, and promises for them. */
class Marks {
  goawayAt: number | null = null;
  closedAt: number | null = null;
  private readonly goawaySeen: Promise<number>;
  private readonly closeSeen: Promise<number>;
  private markGoaway!: (at: number) => void;
  private markClosed!: (at: number) => void;

  constructor() {
    this.goawaySeen = new Promise((resolve) => (this.markGoaway = resolve));
    this.closeSeen = new Promise((resolve) => (this.markClosed = resolve));
  }

  goaway(): void {
    this.goawayAt ??= Date.now();
    this.markGoaway(this.goawayAt);
  }

  closed(): void {
    this.closedAt ??= Date.now();
    this.markClosed(this.closedAt);
  }

  awaitGoaway = (timeoutMs: number) => within(this.goawaySeen, timeoutMs, 'GOAWAY');
  awaitClosed = (timeoutMs: number) => within(this.closeSeen, timeoutMs, 'close');
}

function holdH2(socket: tls.TLSSocket, options: HeldConnectionOptions): HeldConnection {
  const marks = new Marks();
  const session = http2.connect(`https://${options.host}:${options.port}`, { createConnection: () => socket });
  session.on('error', () => undefined);
  session.on('goaway', () => marks.goaway());
  socket.once('close', () => marks.closed());
  const get = async (path: string): Promise<HeldAnswer> => {
    if (marks.closedAt !== null || session.destroyed) return { outcome: 'not-sent', reason: 'closed' };
    if (marks.goawayAt !== null || session.closed) return { outcome: 'not-sent', reason: 'goaway' };
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request({ ':path': path, ':authority': `${options.host}:${options.port}` });
    } catch (error) {
      return { outcome: 'not-sent', reason: (error as NodeJS.ErrnoException).code === 'ERR_HTTP2_GOAWAY_SESSION' ? 'goaway' : 'closed' };
    }
    try {
      return await within(
        new Promise<HeldAnswer>((resolve, reject) => {
          let body = '';
          stream.setEncoding('utf8');
          stream.on('data', (chunk: string) => (body += chunk));
          stream.on('response', (headers) => {
            stream.on('end', () => resolve({ outcome: 'response', status: Number(headers[':status']), body, headers: headers as http.IncomingHttpHeaders }));
          });
          stream.on('error', reject);
          stream.on('close', () => reject(new Error(`stream closed (code ${stream.rstCode})`)));
        }),
        options.timeoutMs,
        'answer',
      );
    } catch (error) {
      stream.close();
      return { outcome: 'failed', detail: (error as Error).message };
    }
  };
  return heldConnection('h2', marks, get, () => session.destroy());
}

function holdH1(socket: tls.TLSSocket, options: HeldConnectionOptions): HeldConnection {
  const marks = new Marks();
  socket.once('close', () => marks.closed());
  socket.on('error', () => undefined);
  // An agent that has this one socket: keep-alive reuses it; it never dials another.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  agent.createConnection = () => socket as unknown as net.Socket;
  const get = async (path: string): Promise<HeldAnswer> => {
    if (marks.closedAt !== null || socket.destroyed || !socket.writable) return { outcome: 'not-sent', reason: 'closed' };
    try {
      return await within(
        new Promise<HeldAnswer>((resolve, reject) => {
          const request = http.request({ agent, path, headers: { host: `${options.host}:${options.port}` } }, (response) => {
            let body = '';
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => (body += chunk));
            response.on('end', () => resolve({ outcome: 'response', status: response.statusCode ?? 0, body, headers: response.headers }));
          });
          request.on('error', reject);
          request.end();
        }),
        options.timeoutMs,
        'answer',
      );
    } catch (error) {
      return { outcome: 'failed', detail: (error as Error).message };
    }
  };
  return heldConnection('http/1.1', marks, get, () => {
    agent.destroy();
    socket.destroy();
  });
}

/** The held connection's face, the same for both protocols: its marks, one request, and close. */
function heldConnection(protocol: HeldConnection['protocol'], marks: Marks, get: HeldConnection['get'], close: () => void): HeldConnection {
  return {
    protocol,
    get goawayAt() {
      return marks.goawayAt;
    },
    get closedAt() {
      return marks.closedAt;
    },
    get,
    goaway: marks.awaitGoaway,
    closed: marks.awaitClosed,
    close,
  };
}
