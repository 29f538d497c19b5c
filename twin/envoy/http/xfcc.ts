// x-forwarded-client-cert as Envoy's connection manager sets it (forward_client_cert_details and
// set_current_client_cert_details). Istio's gateways use SANITIZE_SET with Subject, URI and DNS:
// a mutual TLS client's certificate is described to the backend, anything a client sent is dropped.
import crypto, { type X509Certificate } from 'node:crypto';
import type { JsonObject } from '../proto';
import { subjectAltNameEntries } from '../tls/peer-verify';

export const XFCC = 'x-forwarded-client-cert';

/** A distinguished name as OpenSSL prints it with XN_FLAG_RFC2253 (most specific first, escaped). */
export function rfc2253(nodeSubject: string): string {
  const escape = (value: string) => value.replace(/([,+"\\<>;])/g, '\\$1').replace(/^([ #])/, '\\$1').replace(/ $/, '\\ ');
  return nodeSubject
    .split('\n')
    .filter(Boolean)
    .reverse()
    .map((rdn) => {
      const at = rdn.indexOf('=');
      return `${rdn.slice(0, at)}=${escape(rdn.slice(at + 1))}`;
    })
    .join(',');
}

function currentElement(peer: X509Certificate, local: X509Certificate | null, details: JsonObject): string {
  const parts: string[] = [];
  for (const san of local ? subjectAltNameEntries(local) : []) if (san.type === 'URI') parts.push(`By=${san.value}`);
  parts.push(`Hash=${crypto.createHash('sha256').update(peer.raw).digest('hex')}`);
  if (details.cert === true) parts.push(`Cert="${encodeURIComponent(peer.toString())}"`);
  if (details.chain === true) parts.push(`Chain="${encodeURIComponent(peer.toString())}"`);
  if ((details.subject as unknown) === true) parts.push(`Subject="${rfc2253(peer.subject).replace(/"/g, '\\"')}"`);
  const sans = subjectAltNameEntries(peer);
  if (details.uri === true) for (const san of sans) if (san.type === 'URI') parts.push(`URI=${san.value}`);
  if (details.dns === true) for (const san of sans) if (san.type === 'DNS') parts.push(`DNS=${san.value}`);
  return parts.join(';');
}

/** The XFCC header value to send upstream, or null to send none. */
export function forwardedClientCert(
  mode: string,
  incoming: string | undefined,
  peer: X509Certificate | null,
  local: X509Certificate | null,
  details: JsonObject,
): string | null {
  if (mode === 'ALWAYS_FORWARD_ONLY') return incoming ?? null;
  // Without a client certificate Envoy sanitizes whatever the mode.
  if (!peer) return null;
  switch (mode) {
    case 'FORWARD_ONLY':
      return incoming ?? null;
    case 'APPEND_FORWARD': {
      const current = currentElement(peer, local, details);
      return incoming ? `${incoming},${current}` : current;
    }
    case 'SANITIZE_SET':
      return currentElement(peer, local, details);
    default:
      return null;
  }
}
