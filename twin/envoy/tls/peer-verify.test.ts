// Envoy's own checks on a client certificate, after the chain: partial chains (a trusted
// intermediate is an anchor), SAN matchers, certificate pins, and ACCEPT_UNTRUSTED.
import { beforeAll, describe, expect, test } from '@jest/globals';
import crypto, { X509Certificate } from 'node:crypto';
import { issueCertificate, makeDocChain, type CertKeyPair, type DocChain, type IssueOptions, type KeyUsageName } from '../../../helpers/pki';
import { requiresClientCertificate, validationPolicy, verifyClientChain } from './peer-verify';

let chain: DocChain;
let other: DocChain;
const der = (pem: string) => new X509Certificate(pem).raw;

beforeAll(async () => {
  [chain, other] = await Promise.all([makeDocChain({ keyType: 'ecdsa' }), makeDocChain({ keyType: 'ecdsa', namePrefix: 'Other ' })]);
});

describe('verifyClientChain', () => {
  test('an intermediate in trusted_ca is an anchor (X509_V_FLAG_PARTIAL_CHAIN, as Envoy sets it)', () => {
    expect(verifyClientChain([der(chain.client.certPem)], validationPolicy({}, chain.intermediate.certPem))).toEqual({ ok: true });
    expect(verifyClientChain([der(chain.client.certPem)], validationPolicy({}, chain.root.certPem))).toMatchObject({ ok: false, alert: 'unknown_ca' });
    // ...unless the client sends the intermediate along.
    expect(verifyClientChain([der(chain.client.certPem), der(chain.intermediate.certPem)], validationPolicy({}, chain.root.certPem))).toEqual({ ok: true });
  });

  test('SAN matchers: a chain that verifies but names another host is certificate_unknown (fail_verify_san)', () => {
    const exact = (value: string) => ({ match_typed_subject_alt_names: [{ san_type: 'DNS', matcher: { exact: value } }] });
    expect(verifyClientChain([der(chain.client.certPem)], validationPolicy(exact('httpbin.example.com'), chain.caChainPem))).toEqual({ ok: true });
    expect(verifyClientChain([der(chain.client.certPem)], validationPolicy(exact('other.example.com'), chain.caChainPem))).toEqual({
      ok: false,
      alert: 'certificate_unknown',
      reason: 'verify cert failed: SAN matcher',
      stat: 'fail_verify_san',
    });
  });

  test('verify_certificate_hash and verify_certificate_spki pins', () => {
    const client = new X509Certificate(chain.client.certPem);
    const hash = crypto.createHash('sha256').update(client.raw).digest('hex').toUpperCase().match(/../g)!.join(':');
    const spki = crypto.createHash('sha256').update(client.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
    expect(verifyClientChain([client.raw], validationPolicy({ verify_certificate_hash: [hash] }, chain.caChainPem))).toEqual({ ok: true });
    expect(verifyClientChain([client.raw], validationPolicy({ verify_certificate_spki: [spki] }, chain.caChainPem))).toEqual({ ok: true });
    const otherHash = crypto.createHash('sha256').update(der(chain.server.certPem)).digest('hex');
    expect(verifyClientChain([client.raw], validationPolicy({ verify_certificate_hash: [otherHash] }, chain.caChainPem))).toMatchObject({
      ok: false,
      alert: 'bad_certificate_hash_value',
      stat: 'fail_verify_cert_hash',
    });
  });

  test('trust_chain_verification ACCEPT_UNTRUSTED lets a foreign chain through', () => {
    expect(verifyClientChain([der(other.client.certPem)], validationPolicy({ trust_chain_verification: 'ACCEPT_UNTRUSTED' }, chain.caChainPem))).toEqual({ ok: true });
    expect(verifyClientChain([der(other.client.certPem)], validationPolicy({}, chain.caChainPem))).toMatchObject({ ok: false, alert: 'unknown_ca' });
    // Envoy returns allow_untrusted_certificate_ || success: SAN matchers do not refuse either.
    const untrustedWithSan = { trust_chain_verification: 'ACCEPT_UNTRUSTED', match_typed_subject_alt_names: [{ san_type: 'DNS', matcher: { exact: 'nobody.example' } }] };
    expect(verifyClientChain([der(other.client.certPem)], validationPolicy(untrustedWithSan, chain.caChainPem))).toEqual({ ok: true });
  });

  test('SAN matchers and pins make a client certificate mandatory, unless ACCEPT_UNTRUSTED', () => {
    const san = { match_typed_subject_alt_names: [{ san_type: 'DNS', matcher: { exact: 'httpbin.example.com' } }] };
    expect(requiresClientCertificate(validationPolicy({}, chain.caChainPem))).toBe(false);
    expect(requiresClientCertificate(validationPolicy(san, chain.caChainPem))).toBe(true);
    expect(requiresClientCertificate(validationPolicy({ verify_certificate_spki: ['AAAA'] }, chain.caChainPem))).toBe(true);
    expect(requiresClientCertificate(validationPolicy({ ...san, trust_chain_verification: 'ACCEPT_UNTRUSTED' }, chain.caChainPem))).toBe(false);
  });
});

describe('the ssl_client purpose and DNS SAN matching, as BoringSSL and Envoy check them', () => {
  const issueWithKeyUsage = (options: IssueOptions, keyUsage: KeyUsageName[]): Promise<CertKeyPair> => issueCertificate({ ...options, keyUsage, keyType: 'ecdsa' });
  const leafOptions = (issuer: CertKeyPair, extra: Partial<IssueOptions> = {}): IssueOptions => ({ subject: { CN: 'client.example.com' }, issuer, dnsNames: ['client.example.com'], ...extra });

  test('a leaf whose keyUsage has neither digitalSignature nor keyAgreement: unsupported_certificate (43)', async () => {
    const leaf = await issueWithKeyUsage(leafOptions(chain.intermediate), ['keyEncipherment']);
    expect(verifyClientChain([der(leaf.certPem)], validationPolicy({}, chain.caChainPem))).toMatchObject({ ok: false, alert: 'unsupported_certificate', reason: 'X509_V_ERR_INVALID_PURPOSE' });
    const signing = await issueWithKeyUsage(leafOptions(chain.intermediate), ['digitalSignature']);
    expect(verifyClientChain([der(signing.certPem)], validationPolicy({}, chain.caChainPem))).toEqual({ ok: true });
  });

  test("a CA whose extendedKeyUsage leaves out clientAuth: unsupported_certificate; a CA's keyUsage without keyCertSign is no issuer: unknown_ca", async () => {
    const serverOnlyCa = await issueCertificate({ subject: { CN: 'Server-only CA' }, issuer: chain.root, ca: {}, keyType: 'ecdsa', extendedKeyUsage: ['serverAuth'] });
    const underServerOnly = await issueCertificate({ ...leafOptions(serverOnlyCa), keyType: 'ecdsa' });
    expect(verifyClientChain([der(underServerOnly.certPem), der(serverOnlyCa.certPem)], validationPolicy({}, chain.root.certPem))).toMatchObject({
      ok: false,
      alert: 'unsupported_certificate',
      reason: 'X509_V_ERR_INVALID_PURPOSE',
    });
    const notSigningCa = await issueWithKeyUsage({ subject: { CN: 'CRL-only CA' }, issuer: chain.root, ca: {} }, ['cRLSign']);
    const underNotSigning = await issueCertificate({ ...leafOptions(notSigningCa), keyType: 'ecdsa' });
    expect(verifyClientChain([der(underNotSigning.certPem), der(notSigningCa.certPem)], validationPolicy({}, chain.root.certPem))).toMatchObject({
      ok: false,
      alert: 'unknown_ca',
      reason: 'X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    });
  });

  test('an exact DNS matcher matches a wildcard SAN for one label, case-insensitively', async () => {
    const wildcard = await issueCertificate({ ...leafOptions(chain.intermediate, { dnsNames: ['*.Example.com'] }), keyType: 'ecdsa' });
    const exact = (value: string) => validationPolicy({ match_typed_subject_alt_names: [{ san_type: 'DNS', matcher: { exact: value } }] }, chain.caChainPem);
    expect(verifyClientChain([der(wildcard.certPem)], exact('httpbin.example.com'))).toEqual({ ok: true });
    expect(verifyClientChain([der(wildcard.certPem)], exact('a.b.example.com'))).toMatchObject({ ok: false, alert: 'certificate_unknown' });
    expect(verifyClientChain([der(wildcard.certPem)], exact('example.com'))).toMatchObject({ ok: false, alert: 'certificate_unknown' });
  });
});
