// API failures as one readable line: what was done, to what, and what the API server answered,
// with the server's Status kept on the error for callers that branch on its reason.
import { ApiException } from '@kubernetes/client-node';
import { describeTarget, type Target } from './types';

/** The fields of a metav1.Status the helpers read. */
export interface ApiStatus {
  kind?: string;
  apiVersion?: string;
  status?: string;
  code?: number;
  reason?: string;
  message?: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: { reason?: string; message?: string; field?: string }[];
    retryAfterSeconds?: number;
  };
}

/** The reasons callers branch on; others (webhook denials, …) come through as the server names them. */
export type KnownReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'Forbidden'
  | 'Unauthorized'
  | 'BadRequest'
  | 'Timeout'
  | 'Unreachable'
  | 'NotServed';

/** A failed API operation. `message` is one line; `status` is the server's Status when it sent one. */
export class KubeApiError extends Error {
  override name = 'KubeApiError';
  constructor(
    readonly verb: string,
    readonly target: Target,
    /** HTTP status code; undefined when no answer came (Unreachable, Timeout). */
    readonly code: number | undefined,
    readonly reason: KnownReason | (string & {}),
    readonly status: ApiStatus | undefined,
    /** The part of the line after the reason. */
    readonly detail: string,
  ) {
    super(`${verb} ${describeTarget(target)}: ${code === undefined ? '' : `${code} `}${reason}: ${detail}`);
  }
}

/** The same failure told as part of another operation (exec's look at the pod, …). */
export function asPartOf(verb: string, target: Target, error: unknown): unknown {
  if (!(error instanceof KubeApiError)) return error;
  return new KubeApiError(verb, target, error.code, error.reason, error.status, error.detail);
}

/** An HTTP answer outside 2xx, as the transport saw it (body parsed when it is JSON). */
export class HttpFailure extends Error {
  override name = 'HttpFailure';
  constructor(
    readonly code: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${code}`);
  }
}

/** The kind/version the API server does not serve (no CRD installed, wrong version). */
export class NotServedError extends Error {
  override name = 'NotServedError';
}

/** True when `error` is a KubeApiError with one of the reasons. */
export function hasReason(error: unknown, ...reasons: KnownReason[]): error is KubeApiError {
  return error instanceof KubeApiError && (reasons as string[]).includes(error.reason);
}

const reasonByCode: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** One line, however many lines the server's message had. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

// A field error quotes the rejected value (`Invalid value: "…"`); in a Secret that value may be
// key material, so it is never shown for Secrets.
function redactQuotedValues(text: string): string {
  return text.replace(/Invalid value: "(?:[^"\\]|\\.)*"/g, 'Invalid value: <redacted>');
}

/** The line's detail for an HTTP failure: field causes for Invalid, else the server's message. */
export function statusDetail(kind: string, code: number, status: ApiStatus | undefined): string {
  let detail: string;
  const causes = status?.details?.causes ?? [];
  if (status?.reason === 'Invalid' && causes.length > 0) {
    detail = causes.map((cause) => (cause.field ? `${cause.field}: ${cause.message ?? cause.reason ?? ''}` : (cause.message ?? ''))).join('; ');
  } else {
    detail = status?.message || `the API server answered HTTP ${code} without a Status`;
  }
  detail = oneLine(detail);
  return kind === 'Secret' ? redactQuotedValues(detail) : detail;
}

function asStatus(body: unknown): ApiStatus | undefined {
  if (typeof body === 'string') {
    const text = body.trim();
    try {
      body = JSON.parse(text);
    } catch {
      return text ? { message: text.slice(0, 500) } : undefined;
    }
  }
  return body && typeof body === 'object' ? (body as ApiStatus) : undefined;
}

// Errors may come from another realm (jest's VM context, undici's DOMException): test the shape,
// not the class.
function errorLike(value: unknown): value is Error {
  return typeof value === 'object' && value !== null && typeof (value as Error).message === 'string';
}

/** Describes why a request got no answer: refused, TLS, DNS, timeout. */
export function transportDetail(error: unknown): { reason: 'Timeout' | 'Unreachable'; detail: string } | undefined {
  if (!errorLike(error)) return undefined;
  if (error.name === 'TimeoutError' || error.name === 'AbortError') {
    return { reason: 'Timeout', detail: 'no answer in time' };
  }
  // undici: TypeError('fetch failed') with the socket error as its cause; ws: the socket error itself.
  const cause = (error as { cause?: unknown }).cause ?? error;
  if (!errorLike(cause)) return undefined;
  const code = (cause as NodeJS.ErrnoException).code;
  const inner = (cause as { errors?: unknown }).errors;
  const messages = Array.isArray(inner) ? inner.map((e: unknown) => (errorLike(e) ? e.message : String(e))) : [];
  const message = messages.length > 0 ? messages.join(', ') : cause.message;
  if (error.message === 'fetch failed' || code) {
    return { reason: 'Unreachable', detail: oneLine(message || String(code)) };
  }
  return undefined;
}

/**
 * Turns whatever a request threw into a KubeApiError with one line. `server` names the API
 * server in messages about getting no answer.
 */
export function toKubeError(verb: string, target: Target, error: unknown, server?: string): KubeApiError {
  if (error instanceof KubeApiError) return error;
  const httpCode = error instanceof HttpFailure ? error.code : apiExceptionCode(error);
  if (httpCode !== undefined) {
    const status = asStatus(error instanceof HttpFailure ? error.body : (error as ApiException<unknown>).body);
    const code = status?.code ?? httpCode;
    const reason = status?.reason || reasonByCode[code] || `HTTP${code}`;
    return new KubeApiError(verb, target, code, reason, status, statusDetail(target.kind, code, status));
  }
  if (error instanceof NotServedError) {
    return new KubeApiError(verb, target, undefined, 'NotServed', undefined, error.message);
  }
  const transport = transportDetail(error);
  if (transport) {
    const where = server ? `the API server ${server}` : 'the API server';
    const detail =
      transport.reason === 'Timeout' ? `${where} did not answer in time` : `cannot reach ${where}: ${transport.detail}`;
    return new KubeApiError(verb, target, undefined, transport.reason, undefined, detail);
  }
  const message = errorLike(error) ? error.message : String(error);
  return new KubeApiError(verb, target, undefined, 'ClientError', undefined, oneLine(message));
}

// client-node's ApiException (thrown by its discovery calls) carries `code` and `body`.
function apiExceptionCode(error: unknown): number | undefined {
  return error instanceof ApiException && typeof error.code === 'number' ? error.code : undefined;
}
