// The server certificate as the client saw it, and the client's verdict on it. The probe connects
// with rejectUnauthorized off and judges here, so that an untrusted server still shows who it is.
import tls, { type TLSSocket } from 'node:tls';
import type { PeerCertificate, UntrustedReason } from './types';

/** Thrown inside the probe when the client refuses the server's certificate. */
export class ServerNotTrusted extends Error {
  override name = 'ServerNotTrusted';
  constructor(
    readonly reason: UntrustedReason,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The peer's certificate, or null when it sent none (or the socket is gone). */
export function describePeer(socket: TLSSocket): PeerCertificate | null {
  const cert = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return null;
  return {
    subject: rdnFields(cert.subject),
    issuer: rdnFields(cert.issuer),
    serialNumber: cert.serialNumber.toLowerCase().replace(/^(00)+(?=..)/, ''),
    subjectAltNames: cert.subjectaltname ? cert.subjectaltname.split(/, (?=[A-Za-z ]+:)/) : [],
    validFrom: new Date(cert.valid_from).toISOString(),
    validTo: new Date(cert.valid_to).toISOString(),
    fingerprint256: cert.fingerprint256,
  };
}

/** Throws ServerNotTrusted unless the chain verified against the CAs and the cert names `host`. */
export function checkServerTrust(socket: TLSSocket, host: string): void {
  if (!socket.authorized) {
    const error: unknown = socket.authorizationError;
    const code = typeof error === 'string' ? error : ((error as NodeJS.ErrnoException | undefined)?.code ?? String(error));
    throw new ServerNotTrusted(untrustedReason(code), code, `server certificate not trusted: ${code}`);
  }
  const mismatch = tls.checkServerIdentity(host, socket.getPeerCertificate());
  if (mismatch) {
    const code = (mismatch as NodeJS.ErrnoException).code ?? 'ERR_TLS_CERT_ALTNAME_INVALID';
    throw new ServerNotTrusted('hostname-mismatch', code, mismatch.message);
  }
}

/** OpenSSL's verify codes (as Node names them) grouped the way curl's exit-60 messages read. */
export function untrustedReason(code: string): UntrustedReason {
  switch (code) {
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    // the chain ends in a root the client does not trust
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    // a trusted CA with the issuer's name but another key (a second chain reusing the doc's DNs)
    case 'CERT_SIGNATURE_FAILURE':
      return 'unknown-issuer';
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return 'self-signed';
    case 'CERT_HAS_EXPIRED':
      return 'expired';
    case 'CERT_NOT_YET_VALID':
      return 'not-yet-valid';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
    case 'HOSTNAME_MISMATCH':
      return 'hostname-mismatch';
    default:
      return 'other';
  }
}

function rdnFields(name: object | undefined): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(name ?? {})) {
    fields[key] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return fields;
}
