// Reading certificates back with Node's own X509Certificate (OpenSSL underneath), not with the
// libraries that wrote them.
import { X509Certificate } from 'node:crypto';
import { parseNodeDn } from './names';
import type { CertificateSummary } from './types';

export function certificateSummary(pem: string): CertificateSummary {
  const cert = new X509Certificate(pem);
  return {
    subject: parseNodeDn(cert.subject),
    issuer: parseNodeDn(cert.issuer),
    // Node and Envoy both print BN_bn2hex (no leading zero bytes); Envoy in lowercase.
    serialNumber: cert.serialNumber.toLowerCase(),
    dnsNames: subjectAltNames(cert.subjectAltName, 'DNS'),
    notBefore: cert.validFromDate,
    notAfter: cert.validToDate,
  };
}

/**
 * The values of one kind from Node's subjectAltName text ("DNS:a, DNS:b, IP Address:10.0.0.1");
 * Node writes a value with a comma or quote in it as a JSON string.
 */
export function subjectAltNames(text: string | undefined, kind: 'DNS' | 'IP Address' | 'URI'): string[] {
  const values: string[] = [];
  for (const match of (text ?? '').matchAll(/([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g)) {
    if (match[1] === kind) values.push(match[2]!.startsWith('"') ? (JSON.parse(match[2]!) as string) : match[2]!);
  }
  return values;
}
