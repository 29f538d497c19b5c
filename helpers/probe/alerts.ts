// TLS alert descriptions by number (RFC 8446 §6 and the TLS 1.2 registry), to name the alert a
// server sent from OpenSSL's "SSL alert number N", whatever OpenSSL's version calls its reason.

const ALERT_NAMES: Record<number, string> = {
  0: 'close_notify',
  10: 'unexpected_message',
  20: 'bad_record_mac',
  21: 'decryption_failed',
  22: 'record_overflow',
  30: 'decompression_failure',
  40: 'handshake_failure',
  41: 'no_certificate',
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  44: 'certificate_revoked',
  45: 'certificate_expired',
  46: 'certificate_unknown',
  47: 'illegal_parameter',
  48: 'unknown_ca',
  49: 'access_denied',
  50: 'decode_error',
  51: 'decrypt_error',
  60: 'export_restriction',
  70: 'protocol_version',
  71: 'insufficient_security',
  80: 'internal_error',
  86: 'inappropriate_fallback',
  90: 'user_canceled',
  100: 'no_renegotiation',
  109: 'missing_extension',
  110: 'unsupported_extension',
  111: 'certificate_unobtainable',
  112: 'unrecognized_name',
  113: 'bad_certificate_status_response',
  114: 'bad_certificate_hash_value',
  115: 'unknown_psk_identity',
  116: 'certificate_required',
  120: 'no_application_protocol',
};

export interface ReceivedAlert {
  alert: string;
  alertNumber: number | null;
}

/**
 * The alert a peer sent, if this error reports one. OpenSSL adds "SSL alert number N" only to
 * alerts it received; Node's code (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED, and since OpenSSL 3.2
 * ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE) is the fallback.
 */
export function receivedAlert(code: string | undefined, message: string): ReceivedAlert | undefined {
  const numbered = /SSL alert number (\d+)/.exec(message);
  if (numbered) {
    const alertNumber = Number(numbered[1]);
    return { alert: ALERT_NAMES[alertNumber] ?? `alert_${alertNumber}`, alertNumber };
  }
  const named = code === undefined ? null : /^ERR_SSL_.*_ALERT_([A-Z0-9_]+)$/.exec(code);
  if (!named) return undefined;
  const alert = named[1]!.toLowerCase();
  const entry = Object.entries(ALERT_NAMES).find(([, name]) => name === alert);
  return { alert, alertNumber: entry ? Number(entry[0]) : null };
}
