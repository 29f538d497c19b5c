// Whatever stopped a probe, as an observation: the server's TLS alert by name, the client's verdict
// on the server certificate, or the network failure, with the phase it happened in.
import { receivedAlert } from './alerts';
import { DeadlinePassed } from './deadline';
import { negotiatedAlpn, type ProbeProgress } from './dial';
import { describePeer, ServerNotTrusted } from './peer';
import type { FailureObservation, Observation, ResponseObservation } from './types';

/** The fields every observation carries besides its outcome's. */
export type ObservationContext = Pick<ResponseObservation, 'url' | 'address' | 'port' | 'elapsedMs'>;

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA', 'ENODATA', 'ESERVFAIL']);
const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);
// Closed under us: by the peer (reset, EOF, a write into a closed connection) or an HTTP/2 session
// that went away with it.
const RESET_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'EOF',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_SOCKET_CLOSED',
  'ERR_HTTP2_GOAWAY_SESSION',
  'ERR_HTTP2_INVALID_SESSION',
  'ERR_HTTP2_STREAM_CANCEL',
]);

export function classify(error: unknown, progress: ProbeProgress, context: ObservationContext): Observation {
  const { phase, tlsVersion } = progress;
  if (error instanceof DeadlinePassed) {
    return { ...context, outcome: 'timeout', phase, code: null, tlsVersion, detail: `${error.message} (during ${phase})` };
  }
  if (error instanceof ServerNotTrusted) {
    return {
      ...context,
      outcome: 'untrusted',
      reason: error.reason,
      code: error.code,
      tlsVersion,
      alpn: progress.socket ? negotiatedAlpn(progress.socket) : null,
      peer: progress.socket ? describePeer(progress.socket) : null,
      detail: error.message,
    };
  }
  const chain = causeChain(error);
  for (const cause of chain) {
    const alert = receivedAlert(cause.code, cause.message);
    if (alert) {
      return {
        ...context,
        outcome: 'tls-alert',
        ...alert,
        phase: phase === 'handshake' ? 'handshake' : 'first-read',
        tlsVersion,
        code: cause.code ?? 'unknown',
        opensslCode: /error:([0-9A-F]{8}):/.exec(cause.message)?.[1] ?? null,
        detail: oneLine(cause),
      };
    }
  }
  // The innermost error says what the network did; wrappers (got's RequestError) only repeat it.
  const origin = [...chain].reverse().find((cause) => cause.code !== undefined) ?? chain[chain.length - 1]!;
  const failure = (outcome: FailureObservation['outcome']): FailureObservation => ({
    ...context,
    outcome,
    phase,
    code: origin.code ?? null,
    tlsVersion,
    detail: oneLine(origin),
  });
  const code = origin.code ?? '';
  if (DNS_CODES.has(code)) return failure('dns');
  if (code === 'ECONNREFUSED') return failure('refused');
  if (UNREACHABLE_CODES.has(code)) return failure('unreachable');
  if (code === 'ETIMEDOUT') return failure('timeout');
  if (RESET_CODES.has(code)) return failure('reset');
  if (/^ERR_(SSL|TLS|OSSL)_/.test(code)) return failure('tls-error');
  return failure(phase === 'dns' ? 'dns' : phase === 'connect' ? 'unreachable' : phase === 'handshake' ? 'tls-error' : 'http-error');
}

interface ErrorLike {
  code?: string;
  message: string;
}

/** The error and its causes, outermost first. */
function causeChain(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && chain.length < 8) {
    // Not `instanceof Error`: errors made by Node's own code come from another realm under jest.
    if (typeof current === 'object' && typeof (current as Error).message === 'string') {
      const { code, message, cause } = current as NodeJS.ErrnoException;
      chain.push({ code: typeof code === 'string' ? code : undefined, message });
      current = cause;
    } else {
      chain.push({ message: String(current) });
      break;
    }
  }
  return chain.length > 0 ? chain : [{ message: 'unknown error' }];
}

function oneLine(cause: ErrorLike): string {
  const message = cause.message.replace(/\s+/g, ' ').trim();
  return cause.code && !message.includes(cause.code) ? `${cause.code}: ${message}` : message;
}
