// What a probe is asked (ProbeOptions) and what it can see (Observation), in the doc's curl terms.
// Kept apart from the code so suites and reports can depend on the shapes alone.

export type AlpnProtocol = 'h2' | 'http/1.1';
export type TlsVersionBound = '1.2' | '1.3';

export interface ProbeOptions {
  /** e.g. https://httpbin.example.com:31443/status/418; its host is the SNI and the Host header. */
  url: string;
  /** Like curl --resolve host:port:addr: only that host:port is dialled at `address`. */
  resolve?: { host: string; port: number; address: string };
  /** PEM contents (the CLI reads files). Without `ca`, Node's bundled roots are trusted. */
  ca?: string;
  cert?: string;
  key?: string;
  /** How messages name `ca`, `cert` and `key` (the CLI: the flag and the file); default generic names. */
  names?: { ca?: string; cert?: string; key?: string };
  /** Offered protocols, default ['h2', 'http/1.1'] like curl. */
  alpn?: AlpnProtocol[];
  tlsMin?: TlsVersionBound;
  tlsMax?: TlsVersionBound;
  /** Per attempt, the whole exchange from DNS to the last body byte. */
  timeoutMs: number;
  /** Cap on the captured body in bytes (default 64 KiB); the rest is not read. */
  bodyLimit?: number;
  /**
   * TLS 1.3 only: how long to read before writing, waiting for the server to show it accepted the
   * client's Finished (a session ticket, or h2 SETTINGS), so that a post-handshake alert such as
   * certificate_required is read rather than lost to a write on a closed connection. Default 300.
   */
  acceptWindowMs?: number;
}

/** Where the exchange was when the outcome happened. 'first-read': after the handshake, before writing. */
export type ProbePhase = 'dns' | 'connect' | 'handshake' | 'first-read' | 'exchange';

/** The server's certificate as the client saw it. */
export interface PeerCertificate {
  /** RDN short names to values (a repeated attribute's values joined by ', '). */
  subject: Record<string, string>;
  issuer: Record<string, string>;
  /** Lowercase hex without leading zero bytes, as Envoy's /certs prints it. */
  serialNumber: string;
  /** As OpenSSL prints them: 'DNS:httpbin.example.com', 'IP Address:127.0.0.1'. */
  subjectAltNames: string[];
  /** ISO 8601. */
  validFrom: string;
  validTo: string;
  fingerprint256: string;
}

interface ObservationBase {
  url: string;
  /** The address dialled, once known. */
  address: string | null;
  port: number;
  elapsedMs: number;
  /** One line for a person: what happened, with the error's own words where there was one. */
  detail: string;
}

export interface ResponseObservation extends ObservationBase {
  outcome: 'response';
  status: number;
  httpVersion: string;
  alpn: AlpnProtocol | null;
  tlsVersion: string;
  headers: Record<string, string | string[]>;
  /** UTF-8 text of the body, at most bodyLimit bytes. */
  body: string;
  bodyTruncated: boolean;
  peer: PeerCertificate;
}

/** The server refused with a TLS alert (RFC 8446 §6 names). */
export interface TlsAlertObservation extends ObservationBase {
  outcome: 'tls-alert';
  /** e.g. handshake_failure, certificate_required, unknown_ca, decrypt_error, protocol_version. */
  alert: string;
  alertNumber: number | null;
  /** TLS 1.3 sends certificate_required after the client's Finished: it shows on the first read. */
  phase: 'handshake' | 'first-read';
  tlsVersion: string | null;
  /** Node's error code, e.g. ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED. */
  code: string;
  /** OpenSSL's packed error code, e.g. 0A00045C, when Node reported it. */
  opensslCode: string | null;
}

export type UntrustedReason = 'unknown-issuer' | 'hostname-mismatch' | 'expired' | 'not-yet-valid' | 'self-signed' | 'other';

/** The client refused the server's certificate (curl exit 60). */
export interface UntrustedObservation extends ObservationBase {
  outcome: 'untrusted';
  reason: UntrustedReason;
  /** OpenSSL's verify code as Node names it (UNABLE_TO_VERIFY_LEAF_SIGNATURE, CERT_HAS_EXPIRED, ...). */
  code: string;
  tlsVersion: string | null;
  alpn: AlpnProtocol | null;
  peer: PeerCertificate | null;
}

/**
 * The other ways a request fails:
 * - refused: TCP connection refused; unreachable: no route (EHOSTUNREACH, ENETUNREACH, ...);
 * - reset: the server closed or reset the connection (as Envoy does for an unknown SNI);
 * - timeout: no outcome within timeoutMs; dns: the host does not resolve;
 * - tls-error: the client's own TLS layer gave up (no alert from the server), e.g. wrong version number;
 * - http-error: TLS was up but HTTP did not complete (malformed response, stream refused, ...).
 */
export interface FailureObservation extends ObservationBase {
  outcome: 'refused' | 'unreachable' | 'reset' | 'timeout' | 'dns' | 'tls-error' | 'http-error';
  phase: ProbePhase;
  /** The error code (ECONNRESET, ENOTFOUND, ...), or null for a timeout or a clean close. */
  code: string | null;
  tlsVersion: string | null;
}

export type Observation = ResponseObservation | TlsAlertObservation | UntrustedObservation | FailureObservation;
export type Outcome = Observation['outcome'];
