import { describe, expect, test } from '@jest/globals';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { receivedAlert } from './alerts';
import { classify } from './classify';
import { DeadlinePassed } from './deadline';
import { ConnectionClosed, type ProbeProgress } from './dial';
import { ServerNotTrusted, untrustedReason } from './peer';
import { closedPort } from './test-servers';

const context = { url: 'https://httpbin.example.com:31443/', address: '10.0.0.2', port: 31443, elapsedMs: 12 };
const at = (phase: ProbeProgress['phase'], tlsVersion: string | null = null): ProbeProgress => ({ phase, address: '10.0.0.2', socket: null, tlsVersion });

function nodeError(code: string, message: string, cause?: unknown): Error {
  return Object.assign(new Error(message, { cause }), { code });
}

// Node 24's words for a TLS 1.3 refusal without a client certificate.
const CERTIFICATE_REQUIRED = nodeError(
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  '40DDA2082D7F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:918:SSL alert number 116\n',
);

describe('receivedAlert', () => {
  test.each([
    [undefined, 'ssl3_read_bytes:tlsv13 alert certificate required:...:SSL alert number 116', 'certificate_required', 116],
    // OpenSSL >= 3.2 names TLS 1.2 alerts "ssl/tls alert ...": the number still tells
    ['ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE', 'ssl/tls alert handshake failure:...:SSL alert number 40', 'handshake_failure', 40],
    ['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'no number in this message', 'unknown_ca', 48],
    ['ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR', '...', 'decrypt_error', 51],
    [undefined, 'SSL alert number 250', 'alert_250', 250],
  ])('%s %s', (code, message, alert, alertNumber) => {
    expect(receivedAlert(code, message)).toEqual({ alert, alertNumber });
  });

  test('a failure of the client itself is no alert', () => {
    expect(receivedAlert('ERR_SSL_WRONG_VERSION_NUMBER', 'ssl3_get_record:wrong version number')).toBeUndefined();
  });
});

describe('classify', () => {
  test('an alert after the handshake is a first-read refusal, with Node and OpenSSL codes', () => {
    expect(classify(CERTIFICATE_REQUIRED, at('first-read', 'TLSv1.3'), context)).toEqual({
      ...context,
      outcome: 'tls-alert',
      alert: 'certificate_required',
      alertNumber: 116,
      phase: 'first-read',
      tlsVersion: 'TLSv1.3',
      code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
      opensslCode: '0A00045C',
      detail: expect.stringMatching(/^ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: .*tlsv13 alert certificate required.*SSL alert number 116$/),
    });
  });

  test("an alert wrapped by got's RequestError is still the server's alert", () => {
    const wrapped = nodeError('ERR_HTTP2_SESSION_ERROR', 'Session closed with error code 2', CERTIFICATE_REQUIRED);
    expect(classify(wrapped, at('exchange', 'TLSv1.3'), context)).toMatchObject({ outcome: 'tls-alert', alert: 'certificate_required', phase: 'first-read' });
  });

  test.each([
    ['ENOTFOUND', 'dns', 'dns'],
    ['EAI_AGAIN', 'dns', 'dns'],
    ['ECONNREFUSED', 'connect', 'refused'],
    ['EHOSTUNREACH', 'connect', 'unreachable'],
    ['ETIMEDOUT', 'connect', 'timeout'],
    ['ECONNRESET', 'handshake', 'reset'],
    ['EPIPE', 'exchange', 'reset'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'handshake', 'tls-error'],
    ['ERR_HTTP2_STREAM_ERROR', 'exchange', 'http-error'],
    ['HPE_INVALID_CONSTANT', 'exchange', 'http-error'],
  ] as const)('%s during %s: %s', (code, phase, outcome) => {
    expect(classify(nodeError(code, `${code} happened`), at(phase), context)).toMatchObject({ outcome, phase, code, detail: `${code} happened` });
  });

  test('the innermost code wins over a wrapper', () => {
    const wrapped = nodeError('ERR_GOT_REQUEST_ERROR', 'socket hang up', nodeError('ECONNRESET', 'socket hang up'));
    expect(classify(wrapped, at('exchange'), context)).toMatchObject({ outcome: 'reset', code: 'ECONNRESET' });
  });

  test('a clean close is a reset with code EOF', () => {
    expect(classify(new ConnectionClosed(), at('first-read', 'TLSv1.3'), context)).toMatchObject({ outcome: 'reset', phase: 'first-read', code: 'EOF' });
  });

  test('the deadline is a timeout in the phase that was running', () => {
    expect(classify(new DeadlinePassed(150), at('handshake'), context)).toEqual({
      ...context,
      outcome: 'timeout',
      phase: 'handshake',
      code: null,
      tlsVersion: null,
      detail: 'no outcome within 150 ms (during handshake)',
    });
  });

  test('a server not trusted keeps its reason and code', () => {
    const error = new ServerNotTrusted('expired', 'CERT_HAS_EXPIRED', 'server certificate not trusted: CERT_HAS_EXPIRED');
    expect(classify(error, at('handshake', 'TLSv1.3'), context)).toMatchObject({ outcome: 'untrusted', reason: 'expired', code: 'CERT_HAS_EXPIRED', peer: null, alpn: null });
  });

  test('something that is not an Error is still an observation', () => {
    expect(classify('odd', at('exchange'), context)).toMatchObject({ outcome: 'http-error', code: null, detail: 'odd' });
  });
});

// Node's own errors for what the network did, in the shapes its libuv bindings give them
// (lib/internal/errors.js: errnoException "SYSCALL CODE", exceptionWithHostPort "connect CODE
// ADDRESS:PORT"); the errnos are Linux's (util.getSystemErrorMap).
function systemError(syscall: string, code: string, errno: number, where = ''): Error {
  return Object.assign(new Error(`${syscall} ${code}${where ? ` ${where}` : ''}`), { errno, code, syscall });
}

describe('classify: the code decides, the phase only when the code says nothing', () => {
  test('a real refused connection (connect to a closed port): refused, with its own words', async () => {
    const port = await closedPort();
    const error = await new Promise<Error>((resolve) => net.connect(port, '127.0.0.1').once('error', resolve));
    expect(classify(error, at('connect'), context)).toEqual({ ...context, outcome: 'refused', phase: 'connect', code: 'ECONNREFUSED', tlsVersion: null, detail: `connect ECONNREFUSED 127.0.0.1:${port}` });
  });

  test('a real lookup failure: dns', async () => {
    const error = await lookup('nonexistent.invalid').then(() => new Error('resolved'), (failure: unknown) => failure);
    expect(classify(error, at('dns'), context)).toMatchObject({ outcome: 'dns', phase: 'dns', code: expect.stringMatching(/^(ENOTFOUND|EAI_AGAIN)$/), detail: expect.stringContaining('nonexistent.invalid') });
  });

  // A gateway node that goes away after the handshake: the kernel fails the read with the
  // retransmission timeout or the ICMP host-unreachable, which is not an HTTP failure.
  test.each([
    ['ETIMEDOUT', -110, 'timeout'],
    ['EHOSTUNREACH', -113, 'unreachable'],
    ['ENETUNREACH', -101, 'unreachable'],
  ] as const)('read %s on an established connection: %s, in the phase it happened', (code, errno, outcome) => {
    expect(classify(systemError('read', code, errno), at('exchange', 'TLSv1.3'), context)).toEqual({ ...context, outcome, phase: 'exchange', code, tlsVersion: 'TLSv1.3', detail: `read ${code}` });
  });

  test("a TLS record error after the handshake is the client's TLS failure, not an HTTP one", () => {
    const error = nodeError('ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC', 'C0E7:error:0A000119:SSL routines:tls_get_more_records:decryption failed or bad record mac:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1105:\n');
    expect(classify(error, at('first-read', 'TLSv1.3'), context)).toMatchObject({ outcome: 'tls-error', phase: 'first-read', code: 'ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC' });
  });

  // Codes the classifier does not know: the phase names what failed.
  test.each([
    ['dns', systemError('getaddrinfo', 'EAI_MEMORY', -3009, 'httpbin.example.com'), 'dns'],
    ['connect', systemError('connect', 'EACCES', -13, '10.0.0.2:31443'), 'unreachable'],
    ['handshake', new Error('Client network socket disconnected'), 'tls-error'],
    ['first-read', new Error('Client network socket disconnected'), 'http-error'],
  ] as const)('an unknown failure during %s', (phase, error, outcome) => {
    expect(classify(error, at(phase), context)).toMatchObject({ outcome, phase });
  });
});

describe('classify: errors as they really arrive (wrapped, odd, without code)', () => {
  test('a wrapper with a code around a cause without one: the wrapper says what happened', () => {
    // got's RequestError takes the code of the error it wraps, or ERR_GOT_REQUEST_ERROR.
    const wrapped = nodeError('ERR_GOT_REQUEST_ERROR', 'premature close', new Error('premature close'));
    expect(classify(wrapped, at('exchange'), context)).toMatchObject({ outcome: 'http-error', code: 'ERR_GOT_REQUEST_ERROR', detail: 'ERR_GOT_REQUEST_ERROR: premature close' });
  });

  test('an error without a code is described by its message alone, code null', () => {
    expect(classify(new Error('socket hang up'), at('exchange'), context)).toEqual({ ...context, outcome: 'http-error', phase: 'exchange', code: null, tlsVersion: null, detail: 'socket hang up' });
  });

  test("a DOMException's numeric code is no error code (AbortSignal.timeout's TimeoutError is 23)", () => {
    const reason = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(reason.code).toBe(23);
    expect(classify(reason, at('exchange'), context)).toMatchObject({ outcome: 'http-error', code: null, detail: 'The operation was aborted due to timeout' });
  });

  test('a rejection without a reason, and a plain object without a message, are still observations', () => {
    expect(classify(undefined, at('handshake'), context)).toMatchObject({ outcome: 'tls-error', code: null, detail: 'unknown error' });
    expect(classify({ code: 'ECONNRESET' }, at('exchange'), context)).toMatchObject({ outcome: 'http-error', code: null, detail: '[object Object]' });
  });

  test('a cause chain that loops ends (after eight links)', () => {
    const looped = nodeError('ECONNRESET', 'read ECONNRESET');
    (looped as { cause?: unknown }).cause = looped;
    expect(classify(looped, at('exchange'), context)).toMatchObject({ outcome: 'reset', code: 'ECONNRESET', detail: 'read ECONNRESET' });
  });

  test('a message over several lines becomes one line, its runs of blanks one space', () => {
    const error = nodeError('HPE_INVALID_HEADER_TOKEN', 'Parse Error: Invalid header value char\n    at the gateway  ');
    expect(classify(error, at('exchange'), context)).toMatchObject({ detail: 'HPE_INVALID_HEADER_TOKEN: Parse Error: Invalid header value char at the gateway' });
  });

  test('an alert named only by its code has no OpenSSL code; one known only from the text has code unknown', () => {
    const byCode = nodeError('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'tlsv1 alert unknown ca');
    expect(classify(byCode, at('handshake', 'TLSv1.2'), context)).toMatchObject({ outcome: 'tls-alert', alert: 'unknown_ca', alertNumber: 48, phase: 'handshake', code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', opensslCode: null });
    const byText = new Error('error:0A000410:SSL routines::ssl/tls alert handshake failure:SSL alert number 40');
    expect(classify(byText, at('handshake'), context)).toMatchObject({ outcome: 'tls-alert', alert: 'handshake_failure', code: 'unknown', opensslCode: '0A000410' });
  });
});

describe('untrustedReason', () => {
  test.each([
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unknown-issuer'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'unknown-issuer'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'unknown-issuer'],
    ['CERT_SIGNATURE_FAILURE', 'unknown-issuer'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed'],
    ['CERT_HAS_EXPIRED', 'expired'],
    ['CERT_NOT_YET_VALID', 'not-yet-valid'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'hostname-mismatch'],
    ['CERT_REVOKED', 'other'],
  ])('%s: %s', (code, reason) => {
    expect(untrustedReason(code)).toBe(reason);
  });
});
