// The router filter's upstream request: HTTP/1.1 to one endpoint of the cluster (as Envoy does for
// a gateway's plain-text hop to httpbin), with the cluster's connect timeout, the route's timeout,
// and connect-failure retries on another endpoint when the route's retry policy asks for them.
import http from 'node:http';
import type { Cluster, Endpoint } from '../config/clusters';

export type UpstreamFailure =
  | { kind: 'no-healthy-upstream' }
  | { kind: 'connect-failure'; code: string }
  | { kind: 'reset'; code: string }
  | { kind: 'timeout' };

export interface UpstreamRequest {
  method: string;
  path: string;
  headers: http.OutgoingHttpHeaders;
  /** The request body, or null when there is none (then a retry is safe). */
  body: NodeJS.ReadableStream | null;
  timeoutMs: number | null;
  connectRetries: number;
  onAttempt?: (attempt: number) => void;
}

export type UpstreamResult = { ok: true; response: http.IncomingMessage; endpoint: Endpoint } | { ok: false; failure: UpstreamFailure };

const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'CONNECT_TIMEOUT', 'EADDRNOTAVAIL', 'ENOENT']);

export async function sendUpstream(cluster: Cluster, request: UpstreamRequest, signal: AbortSignal): Promise<UpstreamResult> {
  const deadline = request.timeoutMs === null ? null : Date.now() + request.timeoutMs;
  let failure: UpstreamFailure = { kind: 'no-healthy-upstream' };
  for (let attempt = 1; attempt <= 1 + request.connectRetries; attempt++) {
    const endpoint = cluster.pick();
    if (!endpoint) return { ok: false, failure: { kind: 'no-healthy-upstream' } };
    request.onAttempt?.(attempt);
    const headers = { ...request.headers, ...(attempt > 1 && 'x-envoy-attempt-count' in request.headers ? { 'x-envoy-attempt-count': String(attempt) } : {}) };
    const result = await attemptOnce(cluster, endpoint, { ...request, headers }, deadline, signal);
    if (result.ok) return result;
    failure = result.failure;
    if (failure.kind !== 'connect-failure' || request.body !== null) break;
  }
  return { ok: false, failure };
}

function attemptOnce(cluster: Cluster, endpoint: Endpoint, request: UpstreamRequest, deadline: number | null, signal: AbortSignal): Promise<UpstreamResult> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: UpstreamResult) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      resolve(result);
    };
    const target =
      endpoint.address.kind === 'pipe'
        ? { socketPath: endpoint.address.path }
        : { host: endpoint.address.host, port: endpoint.address.port };
    const upstream = http.request({ ...target, method: request.method, path: request.path, headers: request.headers, agent: cluster.agent, signal });
    let connected = false;
    const connectTimer = setTimeout(() => {
      if (!connected) upstream.destroy(Object.assign(new Error('connect timeout'), { code: 'CONNECT_TIMEOUT' }));
    }, cluster.connectTimeoutMs);
    upstream.on('socket', (socket) => {
      const markConnected = () => {
        connected = true;
        clearTimeout(connectTimer);
      };
      if (!socket.connecting) markConnected();
      else socket.once('connect', markConnected);
    });
    const timer =
      deadline === null
        ? null
        : setTimeout(() => {
            upstream.destroy();
            settle({ ok: false, failure: { kind: 'timeout' } });
          }, Math.max(0, deadline - Date.now()));
    upstream.on('response', (response) => {
      clearTimeout(connectTimer);
      settle({ ok: true, response, endpoint });
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(connectTimer);
      const code = error.code ?? 'UNKNOWN';
      settle({ ok: false, failure: !connected && CONNECT_ERRORS.has(code) ? { kind: 'connect-failure', code } : { kind: 'reset', code } });
    });
    if (request.body) request.body.pipe(upstream);
    else upstream.end();
  });
}

/** Envoy's local reply text for an upstream failure, with its status and response flag. */
export function failureReply(failure: UpstreamFailure): { status: number; body: string; flag: string } {
  switch (failure.kind) {
    case 'no-healthy-upstream':
      return { status: 503, body: 'no healthy upstream', flag: 'UH' };
    case 'timeout':
      return { status: 504, body: 'upstream request timeout', flag: 'UT' };
    case 'connect-failure': {
      const reason = failure.code === 'ECONNREFUSED' ? 'delayed connect error: Connection refused' : failure.code === 'CONNECT_TIMEOUT' ? 'connection timeout' : `delayed connect error: ${failure.code}`;
      return { status: 503, body: `upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: ${reason}`, flag: 'UF' };
    }
    case 'reset':
      return { status: 503, body: 'upstream connect error or disconnect/reset before headers. reset reason: connection termination', flag: 'UC' };
  }
}
