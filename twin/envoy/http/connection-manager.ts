// The HTTP connection manager of a filter chain (envoy.filters.network.http_connection_manager):
// HTTP/2 or HTTP/1.1 per ALPN (or the preface, in plain text), the route table (RDS or inline),
// then the router: a local 404 when no route matches, a direct response or redirect, or the
// request forwarded to a cluster endpoint over HTTP/1.1. Headers as Envoy writes them: server
// (server_name, overwritten by default), x-forwarded-for/-proto, x-request-id,
// x-envoy-internal or x-envoy-external-address, x-forwarded-client-cert, and
// x-envoy-upstream-service-time on the response.
import crypto, { type X509Certificate } from 'node:crypto';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { duplexPair, type Duplex } from 'node:stream';
import type { ClusterManager } from '../config/clusters';
import type { RouteManager, RouteProvider } from '../config/routes';
import { durationMs, type InitTarget } from '../init';
import type { Logger } from '../log';
import type { JsonObject } from '../proto';
import { ALWAYS_DRAIN, type DrainDecision } from '../listener/drain';
import type { StatsStore } from '../stats';
import { selectRoute, type CompiledRoute, type CompiledVirtualHost } from './router';
import { failureReply, sendUpstream } from './upstream';
import { forwardedClientCert, XFCC } from './xfcc';

export const HCM_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

export interface DownstreamInfo {
  secure: boolean;
  /** The certificates the client sent, leaf first; empty without a client certificate. */
  peerChain: X509Certificate[];
  localCertificate: X509Certificate | null;
  remoteAddress: string;
}

type Request = http.IncomingMessage | http2.Http2ServerRequest;
type Response = http.ServerResponse | http2.Http2ServerResponse;

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'http2-settings', 'te', 'host']);
const RESPONSE_HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);
const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/** Internal addresses as Envoy's use_remote_address sees them (RFC 1918, loopback, ULA). */
export function isInternalAddress(address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (net.isIPv4(v4)) {
    const [a, b] = v4.split('.').map(Number) as [number, number];
    return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  }
  return address === '::1' || /^f[cd]/i.test(address);
}

/** RFC 3986 dot-segment removal (normalize_path). */
export function normalizePath(path: string): string {
  const [pathPart, ...query] = path.split('?');
  const output: string[] = [];
  for (const segment of (pathPart ?? '').split('/')) {
    if (segment === '..') output.pop();
    else if (segment !== '.') output.push(segment);
  }
  let normalized = output.join('/');
  if (!normalized.startsWith('/')) normalized = `/${normalized}`;
  if (/\/\.\.?$/.test(pathPart ?? '') && !normalized.endsWith('/')) normalized += '/';
  return query.length > 0 ? `${normalized}?${query.join('?')}` : normalized;
}

function headersToAdd(options: JsonObject[] | undefined, target: Record<string, string | string[]>): void {
  for (const option of options ?? []) {
    const header = option.header as JsonObject | undefined;
    if (!header) continue;
    const key = String(header.key ?? '').toLowerCase();
    const value = String(header.value ?? '');
    const action = String(option.append_action ?? (option.append === false ? 'OVERWRITE_IF_EXISTS_OR_ADD' : 'APPEND_IF_EXISTS_OR_ADD'));
    const existing = target[key];
    if (action === 'ADD_IF_ABSENT' && existing !== undefined) continue;
    if (action === 'OVERWRITE_IF_EXISTS' && existing === undefined) continue;
    if (action === 'APPEND_IF_EXISTS_OR_ADD' && existing !== undefined) target[key] = [...(Array.isArray(existing) ? existing : [existing]), value];
    else target[key] = value;
  }
}

function removeHeaders(names: string[] | undefined, target: Record<string, unknown>): void {
  for (const name of names ?? []) delete target[String(name).toLowerCase()];
}

/** writeHead on either response kind (their signatures differ only in typing). */
function writeHead(res: Response, status: number, headers: Record<string, string | string[]>): void {
  (res as http.ServerResponse).writeHead(status, headers);
}

export class HttpConnectionManager {
  readonly statPrefix: string;
  private readonly routes: RouteProvider;
  private readonly serverName: string;
  private readonly serverTransformation: string;
  private readonly useRemoteAddress: boolean;
  private readonly xfccMode: string;
  private readonly xfccDetails: JsonObject;
  private readonly normalize: boolean;
  private readonly codecType: string;
  private readonly idleTimeoutMs: number;
  private readonly drainTimeoutMs: number;
  /** Set once the chain drains: asked at each response whether this connection should close. */
  private drainDecision: DrainDecision | null = null;
  /** The connections it serves (the TLS or plain socket), to close when the drain time ends. */
  private readonly connections = new Set<Duplex>();
  /** HTTP/2 sessions that already got the shutdown notice. */
  private readonly noticed = new WeakSet<http2.Http2Session>();

  constructor(
    readonly config: JsonObject,
    private readonly routeManager: RouteManager,
    private readonly clusters: ClusterManager,
    private readonly stats: StatsStore,
    private readonly log: Logger,
  ) {
    this.statPrefix = `http.${String(config.stat_prefix ?? '')}`;
    if (config.rds) this.routes = routeManager.acquire(config.rds as JsonObject);
    else if (config.route_config) this.routes = routeManager.inline(config.route_config as JsonObject);
    else throw new Error('HttpConnectionManager needs rds or route_config');
    this.serverName = typeof config.server_name === 'string' && config.server_name !== '' ? config.server_name : 'envoy';
    this.serverTransformation = String(config.server_header_transformation ?? 'OVERWRITE');
    this.useRemoteAddress = config.use_remote_address === true;
    this.xfccMode = String(config.forward_client_cert_details ?? 'SANITIZE');
    this.xfccDetails = (config.set_current_client_cert_details as JsonObject | undefined) ?? {};
    this.normalize = config.normalize_path === true;
    this.codecType = String(config.codec_type ?? 'AUTO');
    this.idleTimeoutMs = durationMs((config.common_http_protocol_options as JsonObject | undefined)?.idle_timeout) ?? 3_600_000;
    this.drainTimeoutMs = durationMs(config.drain_timeout) ?? 5_000;
  }

  get initTargets(): InitTarget[] {
    return [this.routes.init];
  }

  /** Takes a connection (TLS already done, or plain text) and serves HTTP on it. */
  serve(socket: Duplex, info: DownstreamInfo, alpn: string | null): void {
    this.stats.counter(`${this.statPrefix}.downstream_cx_total`).inc();
    this.connections.add(socket);
    socket.once('close', () => this.connections.delete(socket));
    const handler = (req: Request, res: Response) => this.onRequest(req, res, info);
    // A server object per connection: it only parses, the connection is already accepted.
    const h2On = (stream: Duplex) => {
      const server = http2.createServer({}, handler);
      server.on('sessionError', () => undefined);
      server.on('session', (session) => {
        session.on('error', () => undefined);
        if (this.drainDecision) session.close();
      });
      server.emit('connection', stream);
    };
    const h1On = (stream: Duplex) => {
      const server = http.createServer({}, handler);
      // Envoy keeps idle downstream connections for common_http_protocol_options.idle_timeout (1 h).
      server.keepAliveTimeout = this.idleTimeoutMs;
      server.on('clientError', (_error, clientSocket: Duplex) => clientSocket.destroy());
      server.emit('connection', stream);
    };
    if (alpn === 'h2' || this.codecType === 'HTTP2') return h2On(socket);
    if (alpn === 'http/1.1' || this.codecType === 'HTTP1') return h1On(socket);
    // AUTO without ALPN: the HTTP/2 connection preface decides. The bytes read to decide cannot be
    // put back where Node's HTTP parsers read a TCP socket (natively, from its handle), so the
    // servers get a stream pair fed with them first, then with the rest of the connection.
    let seen: Buffer = Buffer.alloc(0);
    const sniff = (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk]);
      const length = Math.min(seen.length, H2_PREFACE.length);
      const isH2 = seen.subarray(0, length).equals(H2_PREFACE.subarray(0, length));
      if (isH2 && seen.length < H2_PREFACE.length) return;
      socket.off('data', sniff);
      const [served, wire] = duplexPair();
      Object.assign(served, { remoteAddress: info.remoteAddress, setTimeout: () => served, setNoDelay: () => served, setKeepAlive: () => served });
      wire.write(seen);
      socket.pipe(wire).pipe(socket);
      socket.on('close', () => served.destroy());
      served.on('close', () => socket.destroy());
      if (isH2) h2On(served);
      else h1On(served);
    };
    socket.on('data', sniff);
  }

  /**
   * The chain drains: from now on each response asks `decision` whether its connection should
   * close (HTTP/1.1: `connection: close`; HTTP/2: GOAWAY). Idle connections are left alone until
   * closeConnections(), as Envoy does (envoyproxy/envoy#14350).
   */
  drain(decision: DrainDecision = ALWAYS_DRAIN): void {
    this.drainDecision ??= decision;
  }

  /** The drain time is over: every connection still open is closed (the listener manager's removeFilterChains). */
  closeConnections(): void {
    for (const connection of [...this.connections]) connection.destroy();
  }

  /**
   * source/common/http/conn_manager_impl.cc (encodeHeaders, startDrainSequence): a response on a
   * draining connection carries `connection: close` (HTTP/1.1), or the session gets a GOAWAY with
   * the largest stream id now (shutdownNotice) and the final one after drain_timeout (HTTP/2).
   */
  private drainOnResponse(res: Response, headers: Record<string, string | string[]>): void {
    if (!this.drainDecision) return;
    if (res instanceof http.ServerResponse) {
      if (!this.drainDecision()) return;
      headers.connection = 'close';
      this.stats.counter(`${this.statPrefix}.downstream_cx_drain_close`).inc();
      return;
    }
    const session = res.stream.session;
    if (!session || this.noticed.has(session) || !this.drainDecision()) return;
    this.noticed.add(session);
    this.stats.counter(`${this.statPrefix}.downstream_cx_drain_close`).inc();
    session.goaway(http2.constants.NGHTTP2_NO_ERROR, 2 ** 31 - 1);
    setTimeout(() => {
      if (!session.destroyed && !session.closed) session.close();
    }, this.drainTimeoutMs).unref();
  }

  close(): void {
    if (this.config.rds) this.routeManager.release(this.routes);
    else this.routeManager.releaseInline(this.routes);
  }

  private localReply(res: Response, status: number, body: string, extraHeaders: Record<string, string | string[]> = {}): void {
    const headers: Record<string, string | string[]> = {
      ...extraHeaders,
      'content-length': String(Buffer.byteLength(body)),
      ...(body ? { 'content-type': 'text/plain' } : {}),
      date: new Date().toUTCString(),
      server: this.serverName,
    };
    this.drainOnResponse(res, headers);
    this.stats.counter(`${this.statPrefix}.downstream_rq_${Math.floor(status / 100)}xx`).inc();
    writeHead(res, status, headers);
    res.end(body);
  }

  private onRequest(req: Request, res: Response, info: DownstreamInfo): void {
    this.stats.counter(`${this.statPrefix}.downstream_rq_total`).inc();
    const rawHost = String((req.headers[':authority'] as string | undefined) ?? req.headers.host ?? '');
    let path = String((req.headers[':path'] as string | undefined) ?? req.url ?? '/');
    if (this.normalize) path = normalizePath(path);
    const facts = { host: rawHost, path, method: req.method ?? 'GET', headers: req.headers as Record<string, string | string[] | undefined> };
    const table = this.routes.table;
    const selected = table ? selectRoute(table, facts) : null;
    if (!selected) {
      this.stats.counter(`${this.statPrefix}.no_route`).inc();
      this.log.debug('router', `no route match for URL '${path}'`, 'source/common/router/router.cc:456');
      return this.localReply(res, 404, '');
    }
    const { vhost, route } = selected;
    const responseHeaderOps = (headers: Record<string, string | string[]>) => {
      for (const level of [route.config, vhost.config, table!.config]) {
        headersToAdd(level.response_headers_to_add as JsonObject[] | undefined, headers);
        removeHeaders(level.response_headers_to_remove as string[] | undefined, headers);
      }
    };
    if (route.config.direct_response) {
      const direct = route.config.direct_response as JsonObject;
      const body = (direct.body as JsonObject | undefined)?.inline_string;
      const headers: Record<string, string | string[]> = {};
      responseHeaderOps(headers);
      return this.localReply(res, Number(direct.status ?? 200), typeof body === 'string' ? body : '', headers);
    }
    if (route.config.redirect) return this.redirect(res, route.config.redirect as JsonObject, facts, info);
    if (!route.config.route) return this.localReply(res, 404, '');
    void this.forward(req, res, info, facts, vhost, route, responseHeaderOps);
  }

  private redirect(res: Response, redirect: JsonObject, facts: { host: string; path: string }, info: DownstreamInfo): void {
    const scheme = redirect.https_redirect === true ? 'https' : typeof redirect.scheme_redirect === 'string' ? redirect.scheme_redirect : info.secure ? 'https' : 'http';
    let host = typeof redirect.host_redirect === 'string' ? redirect.host_redirect : facts.host;
    if (typeof redirect.port_redirect === 'number') host = `${host.replace(/:\d+$/, '')}:${redirect.port_redirect}`;
    else if (redirect.https_redirect === true) host = host.replace(/:\d+$/, '');
    const path = typeof redirect.path_redirect === 'string' ? redirect.path_redirect : facts.path;
    const codes: Record<string, number> = { MOVED_PERMANENTLY: 301, FOUND: 302, SEE_OTHER: 303, TEMPORARY_REDIRECT: 307, PERMANENT_REDIRECT: 308 };
    this.localReply(res, codes[String(redirect.response_code ?? 'MOVED_PERMANENTLY')] ?? 301, '', { location: `${scheme}://${host}${path}` });
  }

  private pickCluster(action: JsonObject, req: Request): string | null {
    if (typeof action.cluster === 'string') return action.cluster;
    if (typeof action.cluster_header === 'string') {
      const value = req.headers[action.cluster_header.toLowerCase()];
      return typeof value === 'string' ? value : null;
    }
    const weighted = action.weighted_clusters as JsonObject | undefined;
    const clusters = (weighted?.clusters as JsonObject[] | undefined) ?? [];
    const total = clusters.reduce((sum, cluster) => sum + Number(cluster.weight ?? 0), 0);
    let roll = Math.random() * total;
    for (const cluster of clusters) {
      roll -= Number(cluster.weight ?? 0);
      if (roll < 0) return String(cluster.name);
    }
    return clusters[0] ? String(clusters[0].name) : null;
  }

  private upstreamHeaders(req: Request, info: DownstreamInfo, facts: { host: string }, route: CompiledRoute, vhost: CompiledVirtualHost, timeoutMs: number | null): Record<string, string | string[]> {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (name.startsWith(':') || HOP_BY_HOP.has(name) || value === undefined) continue;
      headers[name] = value;
    }
    if (req.headers.te === 'trailers') headers.te = 'trailers';
    const internal = isInternalAddress(info.remoteAddress);
    if (this.useRemoteAddress) {
      if (!internal) for (const name of Object.keys(headers)) if (name.startsWith('x-envoy-')) delete headers[name];
      const forwardedFor = headers['x-forwarded-for'];
      headers['x-forwarded-for'] = forwardedFor ? `${String(forwardedFor)},${info.remoteAddress}` : info.remoteAddress;
      headers['x-forwarded-proto'] = info.secure ? 'https' : 'http';
      if (internal) headers['x-envoy-internal'] = 'true';
      else headers['x-envoy-external-address'] = info.remoteAddress;
    } else if (!headers['x-forwarded-proto']) {
      headers['x-forwarded-proto'] = info.secure ? 'https' : 'http';
    }
    const preserve = this.config.preserve_external_request_id === true;
    if (this.config.generate_request_id !== false && (!headers['x-request-id'] || (this.useRemoteAddress && !internal && !preserve))) {
      headers['x-request-id'] = crypto.randomUUID();
    }
    const incomingXfcc = req.headers[XFCC];
    const xfcc = forwardedClientCert(this.xfccMode, typeof incomingXfcc === 'string' ? incomingXfcc : undefined, info.peerChain, info.localCertificate, this.xfccDetails);
    if (xfcc === null) delete headers[XFCC];
    else headers[XFCC] = xfcc;
    if (timeoutMs !== null) headers['x-envoy-expected-rq-timeout-ms'] = String(timeoutMs);
    if (vhost.config.include_request_attempt_count === true) headers['x-envoy-attempt-count'] = '1';
    const decorator = (route.config.decorator as JsonObject | undefined)?.operation;
    if (this.config.tracing && typeof decorator === 'string') headers['x-envoy-decorator-operation'] = decorator;
    const action = route.config.route as JsonObject;
    headers.host = typeof action.host_rewrite_literal === 'string' ? action.host_rewrite_literal : facts.host;
    for (const level of [this.routes.table!.config, vhost.config, route.config]) {
      headersToAdd(level.request_headers_to_add as JsonObject[] | undefined, headers);
      removeHeaders(level.request_headers_to_remove as string[] | undefined, headers);
    }
    return headers;
  }

  private rewritePath(path: string, route: CompiledRoute): string {
    const action = route.config.route as JsonObject;
    if (typeof action.prefix_rewrite === 'string' && route.prefix !== null) return action.prefix_rewrite + path.slice(route.prefix.length);
    const regexRewrite = action.regex_rewrite as JsonObject | undefined;
    if (regexRewrite) {
      const [pathOnly, ...query] = path.split('?');
      const pattern = new RegExp(String((regexRewrite.pattern as JsonObject | undefined)?.regex ?? ''), 'g');
      const substitution = String(regexRewrite.substitution ?? '').replace(/\\(\d)/g, '$$$1');
      const rewritten = (pathOnly ?? '').replace(pattern, substitution);
      return query.length > 0 ? `${rewritten}?${query.join('?')}` : rewritten;
    }
    return path;
  }

  private async forward(
    req: Request,
    res: Response,
    info: DownstreamInfo,
    facts: { host: string; path: string; method: string },
    vhost: CompiledVirtualHost,
    route: CompiledRoute,
    responseHeaderOps: (headers: Record<string, string | string[]>) => void,
  ): Promise<void> {
    const action = route.config.route as JsonObject;
    const clusterName = this.pickCluster(action, req);
    const cluster = clusterName ? this.clusters.get(clusterName) : undefined;
    if (!cluster) {
      this.log.debug('router', `unknown cluster '${clusterName ?? ''}'`, 'source/common/router/router.cc:495');
      return this.localReply(res, 503, '');
    }
    const routeTimeout = durationMs(action.timeout);
    const timeoutMs = routeTimeout === null ? 15_000 : routeTimeout === 0 ? null : routeTimeout;
    const headers = this.upstreamHeaders(req, info, facts, route, vhost, timeoutMs);
    const retryPolicy = (action.retry_policy ?? vhost.config.retry_policy) as JsonObject | undefined;
    const retryOn = String(retryPolicy?.retry_on ?? '');
    const connectRetries = /connect-failure|reset|5xx/.test(retryOn) ? Number(retryPolicy?.num_retries ?? 1) : 0;
    const hasBody = (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') || req.headers['transfer-encoding'] !== undefined || (req instanceof http2.Http2ServerRequest && !req.stream.endAfterHeaders);
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const started = Date.now();
    this.stats.counter(`cluster.${cluster.name}.upstream_rq_total`).inc();
    const result = await sendUpstream(
      cluster,
      { method: facts.method, path: this.rewritePath(facts.path, route), headers, body: hasBody ? (req as NodeJS.ReadableStream) : null, timeoutMs, connectRetries },
      abort.signal,
    );
    if (res.headersSent || res.destroyed) return;
    if (!result.ok) {
      const reply = failureReply(result.failure);
      this.log.debug('router', `upstream request failed (${reply.flag}): ${reply.body}`, 'source/common/router/router.cc:1211');
      const replyHeaders: Record<string, string | string[]> = {};
      responseHeaderOps(replyHeaders);
      return this.localReply(res, reply.status, reply.body, replyHeaders);
    }
    const upstream = result.response;
    const status = upstream.statusCode ?? 502;
    this.stats.counter(`cluster.${cluster.name}.upstream_rq_${status}`).inc();
    this.stats.counter(`${this.statPrefix}.downstream_rq_${Math.floor(status / 100)}xx`).inc();
    const responseHeaders: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(upstream.headers)) {
      if (value === undefined || RESPONSE_HOP_BY_HOP.has(name)) continue;
      responseHeaders[name] = value;
    }
    if (this.serverTransformation === 'OVERWRITE' || (this.serverTransformation === 'APPEND_IF_ABSENT' && !responseHeaders.server)) {
      responseHeaders.server = this.serverName;
    }
    responseHeaders['x-envoy-upstream-service-time'] = String(Date.now() - started);
    responseHeaderOps(responseHeaders);
    this.drainOnResponse(res, responseHeaders);
    try {
      writeHead(res, status, responseHeaders);
    } catch (error) {
      this.log.debug('router', `cannot write the upstream response: ${(error as Error).message}`);
      res.destroy();
      return;
    }
    upstream.pipe(res as NodeJS.WritableStream);
    upstream.on('error', () => res.destroy());
  }
}
