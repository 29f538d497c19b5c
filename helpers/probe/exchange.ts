// The HTTP side of the probe: one GET over the TLS connection the dialler made, with got (the
// project's HTTP client). For h2 the connection becomes a node:http2 session that got uses through
// its `h2session` option; for http/1.1 (or no ALPN, as curl) got's `createConnection` hands it
// the same socket. The body is read up to the limit and no further.
import { once } from 'node:events';
import http2 from 'node:http2';
import got, { type Request, type Response } from 'got';
import type { ProbePlan } from './options';
import type { TlsConnection } from './dial';

export interface HttpResult {
  status: number;
  httpVersion: string;
  headers: Record<string, string | string[]>;
  body: string;
  bodyTruncated: boolean;
}

// As curl behaves by default: no retries, no redirects, no decompression, any status is an answer.
const requestDefaults = {
  retry: { limit: 0 },
  followRedirect: false,
  decompress: false,
  throwHttpErrors: false,
  headers: { 'user-agent': 'istio-gateway-conformance-probe', accept: '*/*' },
} as const;

export async function exchange(connection: TlsConnection, plan: ProbePlan): Promise<HttpResult> {
  if (connection.alpn !== 'h2') {
    const request = got.stream(plan.url, { ...requestDefaults, createConnection: () => connection.socket });
    return readResponse(request, plan.bodyLimit);
  }
  const session = http2.connect(plan.url.origin, { createConnection: () => connection.socket });
  session.on('error', () => undefined); // got's stream reports it; the socket's own error is raced
  try {
    const request = got.stream(plan.url, { ...requestDefaults, http2: true, h2session: session });
    return await readResponse(request, plan.bodyLimit);
  } finally {
    session.destroy();
  }
}

async function readResponse(request: Request, bodyLimit: number): Promise<HttpResult> {
  const [response] = (await once(request, 'response')) as [Response];
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > bodyLimit) break; // stops reading; the connection is closed by the caller
  }
  return {
    status: response.statusCode,
    httpVersion: response.httpVersion === '2.0' ? '2' : response.httpVersion,
    headers: plainHeaders(response.headers),
    body: Buffer.concat(chunks).subarray(0, bodyLimit).toString('utf8'),
    bodyTruncated: size > bodyLimit,
  };
}

function plainHeaders(headers: Response['headers']): Record<string, string | string[]> {
  const plain: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !name.startsWith(':')) plain[name] = value;
  }
  return plain;
}
