// An observation for a person (one line, in curl's terms) and as the CLI's flat JSON record.
import type { Observation, PeerCertificate } from './types';

export function renderObservation(o: Observation): string {
  switch (o.outcome) {
    case 'response': {
      const alpn = o.alpn ? `ALPN ${o.alpn}` : 'no ALPN';
      const body = `${Buffer.byteLength(o.body)}${o.bodyTruncated ? '+' : ''} bytes ${JSON.stringify(o.body.slice(0, 40))}`;
      return `HTTP/${o.httpVersion} ${o.status}, ${o.tlsVersion}, ${alpn}, ${peerText(o.peer)}, body ${body}`;
    }
    case 'tls-alert': {
      const when = o.phase === 'handshake' ? 'during the handshake' : 'on first read';
      return `TLS alert ${o.alert} from the server ${when}${o.tlsVersion ? ` (${o.tlsVersion})` : ''}`;
    }
    case 'untrusted':
      return `server certificate not trusted: ${o.reason} (${o.code})${o.peer ? `, ${peerText(o.peer)}` : ''}`;
    case 'refused':
      return `TCP connection refused by ${o.address}:${o.port}`;
    case 'unreachable':
      return `${o.address ?? 'the host'}:${o.port} unreachable during ${o.phase} (${o.detail})`;
    case 'reset':
      return `connection closed by the server during ${o.phase} (${o.detail})`;
    case 'timeout':
      return `no outcome within the timeout, during ${o.phase} (${o.detail})`;
    case 'dns':
      return `cannot resolve ${new URL(o.url).hostname} (${o.detail})`;
    case 'tls-error':
      return `TLS failed on the client's side during ${o.phase} (${o.detail})`;
    case 'http-error':
      return `HTTP exchange failed during ${o.phase} (${o.detail})`;
  }
}

function peerText(peer: PeerCertificate): string {
  return `peer ${nameText(peer.subject)} issued by ${nameText(peer.issuer)}`;
}

function nameText(name: Record<string, string>): string {
  if (name.CN !== undefined) return `CN=${name.CN}`;
  return Object.entries(name).map(([key, value]) => `${key}=${value}`).join(', ') || '(empty name)';
}

/** The CLI's JSON: the same fields for every outcome, null where they do not apply. */
export interface ObservationReport {
  outcome: Observation['outcome'];
  summary: string;
  status: number | null;
  httpVersion: string | null;
  alpn: string | null;
  tlsVersion: string | null;
  alert: string | null;
  alertNumber: number | null;
  phase: string | null;
  reason: string | null;
  code: string | null;
  address: string | null;
  port: number;
  peer: {
    subject: Record<string, string | null>;
    issuer: Record<string, string | null>;
    serialNumber: string | null;
    subjectAltNames: string[] | null;
    validFrom: string | null;
    validTo: string | null;
  };
  headers: Record<string, string | string[]> | null;
  body: string | null;
  bodyTruncated: boolean | null;
  elapsedMs: number;
  detail: string;
}

export function observationReport(o: Observation): ObservationReport {
  const peer = 'peer' in o ? o.peer : null;
  const response = o.outcome === 'response' ? o : null;
  return {
    outcome: o.outcome,
    summary: renderObservation(o),
    status: response?.status ?? null,
    httpVersion: response?.httpVersion ?? null,
    alpn: 'alpn' in o ? o.alpn : null,
    tlsVersion: o.tlsVersion,
    alert: o.outcome === 'tls-alert' ? o.alert : null,
    alertNumber: o.outcome === 'tls-alert' ? o.alertNumber : null,
    phase: 'phase' in o ? o.phase : null,
    reason: o.outcome === 'untrusted' ? o.reason : null,
    code: 'code' in o ? o.code : null,
    address: o.address,
    port: o.port,
    peer: {
      // so that peer.subject.CN reads as null, not as an error, when there is no peer
      subject: peer?.subject ?? { CN: null },
      issuer: peer?.issuer ?? { CN: null },
      serialNumber: peer?.serialNumber ?? null,
      subjectAltNames: peer?.subjectAltNames ?? null,
      validFrom: peer?.validFrom ?? null,
      validTo: peer?.validTo ?? null,
    },
    headers: response?.headers ?? null,
    body: response?.body ?? null,
    bodyTruncated: response?.bodyTruncated ?? null,
    elapsedMs: o.elapsedMs,
    detail: o.detail,
  };
}
