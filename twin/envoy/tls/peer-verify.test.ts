// Envoy's own checks on a client certificate, after the chain: partial chains (a trusted
// intermediate is an anchor), SAN matchers, certificate pins, and ACCEPT_UNTRUSTED.
import { beforeAll, describe, expect, test } from '@jest/globals';
import crypto, { X509Certificate } from 'node:crypto';
import { makeDocChain, type DocChain } from '../../../helpers/pki';
import { validationPolicy, verifyClientChain } from './peer-verify';

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

  test('SAN matchers: a chain that verifies but names another host is bad_certificate (fail_verify_san)', () => {
    const exact = (value: string) => ({ match_typed_subject_alt_names: [{ san_type: 'DNS', matcher: { exact: value } }] });
    expect(verifyClientChain([der(chain.client.certPem)], validationPolicy(exact('httpbin.example.com'), chain.caChainPem))).toEqual({ ok: true });
    expect(verifyClientChain([der(chain.client.certPem)], validationPolicy(exact('other.example.com'), chain.caChainPem))).toEqual({
      ok: false,
      alert: 'bad_certificate',
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
      alert: 'bad_certificate',
      stat: 'fail_verify_cert_hash',
    });
  });

  test('trust_chain_verification ACCEPT_UNTRUSTED lets a foreign chain through', () => {
    expect(verifyClientChain([der(other.client.certPem)], validationPolicy({ trust_chain_verification: 'ACCEPT_UNTRUSTED' }, chain.caChainPem))).toEqual({ ok: true });
    expect(verifyClientChain([der(other.client.certPem)], validationPolicy({}, chain.caChainPem))).toMatchObject({ ok: false, alert: 'unknown_ca' });
  });
});
