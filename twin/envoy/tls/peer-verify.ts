// Client certificate verification as Envoy does it with BoringSSL: build the chain to a certificate
// in trusted_ca (X509_V_FLAG_PARTIAL_CHAIN is on in Envoy, so an intermediate there is an anchor),
// check CA flags, the client purpose, signatures and validity, then Envoy's own SAN and pin
// checks. A failure carries the alert BoringSSL derives from the X509 error
// (ssl_verify_alarm_type), e.g. unknown_ca for an issuer nobody trusts, or the one Envoy picks for
// its own checks, and the Envoy counter (envoyproxy/envoy
// source/common/tls/cert_validator/default_validator.cc, doVerifyCertChain and verifyCertificate).
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import crypto, { X509Certificate } from 'node:crypto';
import { stringMatcher, type StringMatch } from '../matchers';
import type { JsonObject } from '../proto';

export const ALERTS = {
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  unknown_ca: 48,
  decrypt_error: 51,
  bad_certificate_hash_value: 114,
} as const;
export type VerifyAlert = keyof typeof ALERTS;

export type VerifyStat = 'fail_verify_error' | 'fail_verify_san' | 'fail_verify_cert_hash';

export type VerifyOutcome = { ok: true } | { ok: false; alert: VerifyAlert; reason: string; stat: VerifyStat };

export interface SanMatcher {
  /** DNS, URI, EMAIL, IP_ADDRESS, or null for any type (the deprecated match_subject_alt_names). */
  type: string | null;
  match: StringMatch;
  /** The exact value, when the matcher is exact: DNS SANs then match as DNS names (wildcards). */
  exact: string | null;
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
    const matcher = (typed.matcher as JsonObject | undefined) ?? {};
    sanMatchers.push({ type: String(typed.san_type ?? ''), match: stringMatcher(matcher), exact: exactOf(matcher) });
  }
  for (const untyped of (context.match_subject_alt_names as JsonObject[] | undefined) ?? []) {
    sanMatchers.push({ type: null, match: stringMatcher(untyped), exact: exactOf(untyped) });
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

const exactOf = (matcher: JsonObject): string | null => (typeof matcher.exact === 'string' ? matcher.exact : null);

/** SAN matchers or pins make a client certificate mandatory, unless ACCEPT_UNTRUSTED (default_validator.cc, initializeSslContexts). */
export function requiresClientCertificate(policy: ValidationPolicy): boolean {
  return !policy.acceptUntrusted && (policy.sanMatchers.length > 0 || policy.spkiPins.length > 0 || policy.hashPins.length > 0);
}

/**
 * Envoy's Utility::dnsNameMatch (source/common/tls/utility.cc): case-insensitive, and a SAN
 * `*.example.com` matches exactly one label in its place.
 */
export function dnsNameMatch(expected: string, san: string): boolean {
  const name = expected.toLowerCase();
  const pattern = san.toLowerCase();
  if (name === pattern) return true;
  if (pattern.length > 1 && pattern.startsWith('*.') && name.length > pattern.length - 1) {
    const offset = name.length - pattern.length + 1;
    return !name.slice(0, offset).includes('.') && name.slice(offset) === pattern.slice(1);
  }
  return false;
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
  // ACCEPT_UNTRUSTED: verifyCertAndUpdateStatus returns allow_untrusted_certificate_ || success.
  if (policy.acceptUntrusted) return { ok: true };
  const chainOutcome = verifyChain(leaf, presented.slice(1), policy, now);
  if (!chainOutcome.ok) return chainOutcome;
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
  // BoringSSL's check_chain_extensions with the "ssl_client" purpose Envoy sets
  // (X509_STORE_CTX_set_default): every issuer must be a CA, every certificate's
  // extendedKeyUsage must allow clientAuth, and the leaf's keyUsage must allow digitalSignature or
  // keyAgreement (crypto/x509/v3_purp.c, check_purpose_ssl_client). An issuer whose keyUsage lacks
  // keyCertSign never got into the path: X509_check_issued (checkIssued) refuses it.
  for (const issuer of path.slice(1)) {
    if (!issuer.ca) return fail('unknown_ca', 'X509_V_ERR_INVALID_CA');
  }
  for (const certificate of path) {
    const eku = certificate.keyUsage;
    if (Array.isArray(eku) && eku.length > 0 && !eku.includes(CLIENT_AUTH) && !eku.includes(ANY_EKU)) {
      return fail('unsupported_certificate', 'X509_V_ERR_INVALID_PURPOSE');
    }
  }
  if (!keyUsageAllows(leaf, x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement)) {
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

/** Whether a certificate's keyUsage, if it has one, has any of these bits (ku_reject in v3_purp.c). */
function keyUsageAllows(certificate: X509Certificate, bits: number): boolean {
  const usage = new x509.X509Certificate(certificate.raw).getExtension(x509.KeyUsagesExtension);
  return !usage || (usage.usages & bits) !== 0;
}

/** An issuer of `subject` among candidates: one whose key verifies it if any, else the first by name. */
function pickIssuer(subject: X509Certificate, candidates: X509Certificate[]): X509Certificate | undefined {
  const named = candidates.filter((candidate) => subject.checkIssued(candidate));
  return named.find((candidate) => subject.verify(candidate.publicKey)) ?? named[0];
}

function verifyEnvoyMatchers(leaf: X509Certificate, policy: ValidationPolicy): VerifyOutcome {
  if (policy.sanMatchers.length > 0) {
    const sans = subjectAltNameEntries(leaf);
    // san_matcher.cc: an exact matcher on a DNS SAN follows DNS matching (dnsNameMatch).
    const matched = policy.sanMatchers.some((matcher) =>
      sans.some(
        (san) =>
          (matcher.type === null || SAN_PREFIX[matcher.type] === san.type) &&
          (san.type === 'DNS' && matcher.exact !== null ? dnsNameMatch(matcher.exact, san.value) : matcher.match(san.value)),
      ),
    );
    // doVerifyCertChain's default alert for Envoy's own checks is certificate_unknown.
    if (!matched) return fail('certificate_unknown', 'verify cert failed: SAN matcher', 'fail_verify_san');
  }
  if (policy.spkiPins.length > 0 || policy.hashPins.length > 0) {
    const hash = crypto.createHash('sha256').update(leaf.raw).digest('hex');
    const spki = crypto.createHash('sha256').update(leaf.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
    if (!policy.hashPins.includes(hash) && !policy.spkiPins.includes(spki)) {
      return fail('bad_certificate_hash_value', 'verify cert failed: cert hash and spki', 'fail_verify_cert_hash');
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
