// x-forwarded-client-cert as Envoy's connection manager sets it (forward_client_cert_details and
// set_current_client_cert_details). Istio's gateways use SANITIZE_SET with Subject, URI and DNS:
// a mutual TLS client's certificate is described to the backend, anything a client sent is dropped.
// Keys in Envoy's order (Cert, Chain, Subject, URI, DNS: http_connection_manager config.cc), URI=
// even when the certificate has no URI SAN, Chain= the whole chain the client sent
// (source/common/http/conn_manager_utility.cc, mutateXfccRequestHeader).
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

const urlEncodedPem = (certificates: X509Certificate[]) => encodeURIComponent(certificates.map((certificate) => certificate.toString()).join(''));

function currentElement(peerChain: X509Certificate[], local: X509Certificate | null, details: JsonObject): string {
  const peer = peerChain[0]!;
  const parts: string[] = [];
  for (const san of local ? subjectAltNameEntries(local) : []) if (san.type === 'URI') parts.push(`By=${san.value}`);
  parts.push(`Hash=${crypto.createHash('sha256').update(peer.raw).digest('hex')}`);
  if (details.cert === true) parts.push(`Cert="${urlEncodedPem([peer])}"`);
  if (details.chain === true) parts.push(`Chain="${urlEncodedPem(peerChain)}"`);
  if ((details.subject as unknown) === true) parts.push(`Subject="${rfc2253(peer.subject).replace(/"/g, '\\"')}"`);
  const sans = subjectAltNameEntries(peer);
  if (details.uri === true) {
    const uris = sans.filter((san) => san.type === 'URI');
    if (uris.length === 0) parts.push('URI=');
    for (const san of uris) parts.push(`URI=${san.value}`);
  }
  if (details.dns === true) for (const san of sans) if (san.type === 'DNS') parts.push(`DNS=${san.value}`);
  return parts.join(';');
}

/** The XFCC header value to send upstream, or null to send none. peerChain: what the client sent, leaf first. */
export function forwardedClientCert(
  mode: string,
  incoming: string | undefined,
  peerChain: X509Certificate[],
  local: X509Certificate | null,
  details: JsonObject,
): string | null {
  if (mode === 'ALWAYS_FORWARD_ONLY') return incoming ?? null;
  // Without a client certificate Envoy sanitizes whatever the mode.
  if (peerChain.length === 0) return null;
  switch (mode) {
    case 'FORWARD_ONLY':
      return incoming ?? null;
    case 'APPEND_FORWARD': {
      const current = currentElement(peerChain, local, details);
      return incoming ? `${incoming},${current}` : current;
    }
    case 'SANITIZE_SET':
      return currentElement(peerChain, local, details);
    default:
      return null;
  }
}
