// Client certificate verification as Envoy does it with BoringSSL: build the chain to a certificate
// in trusted_ca (X509_V_FLAG_PARTIAL_CHAIN is on in Envoy, so an intermediate there is an anchor),
// check CA flags, the client purpose, signatures and validity, then Envoy's own SAN and pin
// checks. A failure carries the alert BoringSSL derives from the X509 error
// (ssl_verify_alarm_type), e.g. unknown_ca for an issuer nobody trusts, and the Envoy counter.
import crypto, { X509Certificate } from 'node:crypto';
import { stringMatcher, type StringMatch } from '../matchers';
import type { JsonObject } from '../proto';

export const ALERTS = {
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  unknown_ca: 48,
  decrypt_error: 51,
} as const;
export type VerifyAlert = keyof typeof ALERTS;

export type VerifyStat = 'fail_verify_error' | 'fail_verify_san' | 'fail_verify_cert_hash';

export type VerifyOutcome = { ok: true } | { ok: false; alert: VerifyAlert; reason: string; stat: VerifyStat };

export interface SanMatcher {
  /** DNS, URI, EMAIL, IP_ADDRESS, or null for any type (the deprecated match_subject_alt_names). */
  type: string | null;
  match: StringMatch;
}

export interface ValidationPolicy {
  trusted: X509Certificate[];
  /** trust_chain_verification: ACCEPT_UNTRUSTED */
  acceptUntrusted: boolean;
  sanMatchers: SanMatcher[];
  /** base64 SHA-256 of the SubjectPublicKeyInfo (verify_certificate_spki). */
  spkiPins: string[];
  /** lowercase hex SHA-256 of the certificate, no colons (verify_certificate_hash). */
  hashPins: string[];
  maxDepth: number;
}

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EKU = '2.5.29.37.0';
const SAN_PREFIX: Record<string, string> = { DNS: 'DNS', URI: 'URI', EMAIL: 'email', IP_ADDRESS: 'IP Address' };

/** The policy a CertificateValidationContext (proto3 JSON) and its resolved trusted CA PEM describe. */
export function validationPolicy(context: JsonObject, trustedCaPem: string): ValidationPolicy {
  const sanMatchers: SanMatcher[] = [];
  for (const typed of (context.match_typed_subject_alt_names as JsonObject[] | undefined) ?? []) {
    sanMatchers.push({ type: String(typed.san_type ?? ''), match: stringMatcher((typed.matcher as JsonObject) ?? {}) });
  }
  for (const untyped of (context.match_subject_alt_names as JsonObject[] | undefined) ?? []) {
    sanMatchers.push({ type: null, match: stringMatcher(untyped) });
  }
  return {
    trusted: splitPemCertificates(trustedCaPem).map((pem) => new X509Certificate(pem)),
    acceptUntrusted: context.trust_chain_verification === 'ACCEPT_UNTRUSTED',
    sanMatchers,
    spkiPins: ((context.verify_certificate_spki as string[] | undefined) ?? []).map(String),
    hashPins: ((context.verify_certificate_hash as string[] | undefined) ?? []).map((hash) => String(hash).replaceAll(':', '').toLowerCase()),
    maxDepth: typeof context.max_verify_depth === 'number' ? context.max_verify_depth : 100,
  };
}

export function splitPemCertificates(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

const fail = (alert: VerifyAlert, reason: string, stat: VerifyStat = 'fail_verify_error'): VerifyOutcome => ({ ok: false, alert, reason, stat });

/** Verifies the chain a client presented (leaf first, DER). */
export function verifyClientChain(chainDer: Buffer[], policy: ValidationPolicy, now = new Date()): VerifyOutcome {
  let presented: X509Certificate[];
  try {
    presented = chainDer.map((der) => new X509Certificate(der));
  } catch {
    return fail('bad_certificate', 'client certificate does not parse');
  }
  const leaf = presented[0];
  if (!leaf) return fail('bad_certificate', 'empty certificate chain');
  if (!policy.acceptUntrusted) {
    const chainOutcome = verifyChain(leaf, presented.slice(1), policy, now);
    if (!chainOutcome.ok) return chainOutcome;
  }
  return verifyEnvoyMatchers(leaf, policy);
}

function verifyChain(leaf: X509Certificate, untrusted: X509Certificate[], policy: ValidationPolicy, now: Date): VerifyOutcome {
  // Build the path as OpenSSL does (trusted issuers first, issuers matched by name and key id).
  const path: X509Certificate[] = [leaf];
  let anchored = policy.trusted.some((anchor) => anchor.raw.equals(leaf.raw));
  while (!anchored) {
    const current = path[path.length - 1]!;
    if (path.length > policy.maxDepth + 1) return fail('unknown_ca', 'X509_V_ERR_CERT_CHAIN_TOO_LONG');
    const fromTrusted = pickIssuer(current, policy.trusted);
    if (fromTrusted) {
      path.push(fromTrusted);
      anchored = true;
      break;
    }
    const fromPeer = pickIssuer(current, untrusted.filter((candidate) => !path.includes(candidate)));
    if (fromPeer) {
      path.push(fromPeer);
      continue;
    }
    if (current.checkIssued(current)) {
      return fail('unknown_ca', path.length === 1 ? 'X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT' : 'X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN');
    }
    return fail('unknown_ca', 'X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  }
  for (const issuer of path.slice(1)) {
    if (!issuer.ca) return fail('unknown_ca', 'X509_V_ERR_INVALID_CA');
  }
  const eku = leaf.keyUsage;
  if (Array.isArray(eku) && eku.length > 0 && !eku.includes(CLIENT_AUTH) && !eku.includes(ANY_EKU)) {
    return fail('unsupported_certificate', 'X509_V_ERR_INVALID_PURPOSE');
  }
  for (let depth = path.length - 1; depth >= 0; depth--) {
    const certificate = path[depth]!;
    const issuer = path[depth + 1];
    if (issuer && !certificate.verify(issuer.publicKey)) return fail('decrypt_error', 'X509_V_ERR_CERT_SIGNATURE_FAILURE');
    if (now < certificate.validFromDate) return fail('certificate_expired', 'X509_V_ERR_CERT_NOT_YET_VALID');
    if (now > certificate.validToDate) return fail('certificate_expired', 'X509_V_ERR_CERT_HAS_EXPIRED');
  }
  return { ok: true };
}

/** An issuer of `subject` among candidates: one whose key verifies it if any, else the first by name. */
function pickIssuer(subject: X509Certificate, candidates: X509Certificate[]): X509Certificate | undefined {
  const named = candidates.filter((candidate) => subject.checkIssued(candidate));
  return named.find((candidate) => subject.verify(candidate.publicKey)) ?? named[0];
}

function verifyEnvoyMatchers(leaf: X509Certificate, policy: ValidationPolicy): VerifyOutcome {
  if (policy.sanMatchers.length > 0) {
    const sans = subjectAltNameEntries(leaf);
    const matched = policy.sanMatchers.some((matcher) =>
      sans.some((san) => (matcher.type === null || SAN_PREFIX[matcher.type] === san.type) && matcher.match(san.value)),
    );
    if (!matched) return fail('bad_certificate', 'verify cert failed: SAN matcher', 'fail_verify_san');
  }
  if (policy.spkiPins.length > 0 || policy.hashPins.length > 0) {
    const hash = crypto.createHash('sha256').update(leaf.raw).digest('hex');
    const spki = crypto.createHash('sha256').update(leaf.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
    if (!policy.hashPins.includes(hash) && !policy.spkiPins.includes(spki)) {
      return fail('bad_certificate', 'verify cert failed: cert hash and spki', 'fail_verify_cert_hash');
    }
  }
  return { ok: true };
}

/** Node's subjectAltName text ("DNS:a, URI:b, IP Address:c"; a value with a comma is a JSON string) as typed entries. */
export function subjectAltNameEntries(certificate: X509Certificate): Array<{ type: string; value: string }> {
  const entries: Array<{ type: string; value: string }> = [];
  for (const match of (certificate.subjectAltName ?? '').matchAll(/([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g)) {
    const raw = match[2]!;
    entries.push({ type: match[1]!, value: raw.startsWith('"') ? (JSON.parse(raw) as string) : raw });
  }
  return entries;
}
