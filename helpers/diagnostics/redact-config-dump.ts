// Redaction by structure of Envoy's /config_dump (envoy.admin.v3.ConfigDump as proto JSON). Real
// Envoy already prints private_key as "[redacted]", but a dump may come from elsewhere (istiod's
// own debug dump carries the SDS keys) or from a stand-in, so nothing is taken on trust:
// - the fields that hold secrets (TlsCertificate.private_key and .password, GenericSecret,
//   session ticket keys, HMAC and OAuth secrets) become "[redacted]", whatever they hold;
// - every inline DataSource under a TLS context or a Secret (certificate_chain, trusted_ca, crl,
//   ocsp_staple, …) becomes "[redacted]"; when it held certificates, their subject, issuer,
//   serial and SHA-256 fingerprint stand beside it (enough to tell which certificate was served);
// - every other string holding a PEM private key, plain or base64, is redacted by content.
import { X509Certificate } from 'node:crypto';
import { certificateSummary, formatDn } from '../pki';
import { REDACTED, scrubStrings } from './scrub';

/** What identifies a certificate, without its bytes. */
export interface CertificateFacts {
  subject: string;
  issuer: string;
  serialNumber: string;
  sha256Fingerprint: string;
  notAfter: string;
  dnsNames: string[];
}

export interface DumpRedaction {
  dump: unknown;
  /** Secret fields replaced (private keys, passwords, …). */
  secretFields: number;
  /** Inline data sources replaced by the facts of the certificates they held. */
  certificateSources: number;
  /** Inline data sources under TLS that held no certificate, replaced outright. */
  otherInline: number;
  /** Strings elsewhere that held a PEM private key. */
  byContent: number;
}

// Envoy's fields marked (udpa.annotations.sensitive), and the GenericSecret and OAuth ones.
const SECRET_FIELDS = new Set(['private_key', 'password', 'generic_secret', 'session_ticket_keys', 'hmac_secret', 'token_secret', 'client_secret', 'pkey']);
// Keys under which a TLS context, a Secret or one of their data sources sits.
const TLS_KEY = /tls|secret|certificate|validation_context|trusted_ca|crl|ocsp/i;
const TLS_TYPE = /\.tls\.v3\.|\.Secret$|TlsContext$/;
const INLINE_FIELDS = ['inline_bytes', 'inline_string'] as const;
const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The facts of every certificate in a PEM text; an unreadable block is left out. */
export function certificateFacts(pemText: string): CertificateFacts[] {
  const facts: CertificateFacts[] = [];
  for (const block of pemText.match(CERT_BLOCK) ?? []) {
    try {
      const summary = certificateSummary(block);
      facts.push({
        subject: formatDn(summary.subject),
        issuer: formatDn(summary.issuer),
        serialNumber: summary.serialNumber,
        sha256Fingerprint: new X509Certificate(block).fingerprint256,
        notAfter: summary.notAfter.toISOString(),
        dnsNames: summary.dnsNames,
      });
    } catch {
      // not a certificate Node can read: its bytes are redacted all the same
    }
  }
  return facts;
}

function inlineText(source: { [key: string]: Json }): string {
  if (typeof source.inline_string === 'string') return source.inline_string;
  if (typeof source.inline_bytes === 'string') return Buffer.from(source.inline_bytes, 'base64').toString('utf8');
  return '';
}

export function redactConfigDump(dump: unknown): DumpRedaction {
  const counts = { secretFields: 0, certificateSources: 0, otherInline: 0 };

  const redactSource = (source: { [key: string]: Json }): Json => {
    const certificates = certificateFacts(inlineText(source));
    const out: { [key: string]: Json } = {};
    for (const [key, value] of Object.entries(source)) out[key] = (INLINE_FIELDS as readonly string[]).includes(key) ? REDACTED : walk(value, true);
    if (certificates.length > 0) {
      counts.certificateSources += 1;
      out.certificates = certificates as unknown as Json;
    } else {
      counts.otherInline += 1;
    }
    return out;
  };

  const walk = (node: Json, inTls: boolean): Json => {
    if (Array.isArray(node)) return node.map((item) => walk(item, inTls));
    if (!isObject(node)) return node;
    const here = inTls || (typeof node['@type'] === 'string' && TLS_TYPE.test(node['@type']));
    if (here && INLINE_FIELDS.some((field) => field in node)) return redactSource(node);
    const out: { [key: string]: Json } = {};
    for (const [key, value] of Object.entries(node)) {
      if (SECRET_FIELDS.has(key)) {
        counts.secretFields += 1;
        out[key] = REDACTED;
      } else {
        out[key] = walk(value, here || TLS_KEY.test(key));
      }
    }
    return out;
  };

  const structural = walk(dump as Json, false);
  const { value, redacted } = scrubStrings(structural);
  return { dump: value, ...counts, byContent: redacted };
}
