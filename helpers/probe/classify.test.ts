import { describe, expect, test } from '@jest/globals';
import { receivedAlert } from './alerts';
import { classify } from './classify';
import { DeadlinePassed } from './deadline';
import { ConnectionClosed, type ProbeProgress } from './dial';
import { ServerNotTrusted, untrustedReason } from './peer';

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
