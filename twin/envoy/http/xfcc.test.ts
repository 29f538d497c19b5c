// x-forwarded-client-cert as Envoy writes it for Istio's gateways (SANITIZE_SET with subject, cert,
// uri and dns): keys in Envoy's order, URI= even without a URI SAN, Chain= the whole chain sent.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { issueCertificate, makeDocChain, type DocChain } from '../../../helpers/pki';
import { forwardedClientCert } from './xfcc';

let chain: DocChain;
const x509 = (pem: string) => new X509Certificate(pem);
const encoded = (...pems: string[]) => encodeURIComponent(pems.join(''));

beforeAll(async () => {
  chain = await makeDocChain({ keyType: 'ecdsa' });
});

describe('forwardedClientCert', () => {
  test("URI= is there even when the client's certificate has no URI SAN", () => {
    const value = forwardedClientCert('SANITIZE_SET', 'By=spoofed', [x509(chain.client.certPem)], null, { subject: true, cert: true, uri: true, dns: true });
    expect(value).toMatch(/^Hash=[0-9a-f]{64};Cert="[^"]+";Subject="CN=httpbin\.example\.com,[^"]+";URI=;DNS=httpbin\.example\.com$/);
  });

  test('Chain= carries every certificate the client sent, leaf first', () => {
    const sent = [x509(chain.client.certPem), x509(chain.intermediate.certPem)];
    const value = forwardedClientCert('SANITIZE_SET', undefined, sent, null, { cert: true, chain: true });
    expect(value).toContain(`;Cert="${encoded(chain.client.certPem)}"`);
    expect(value).toContain(`;Chain="${encoded(chain.client.certPem, chain.intermediate.certPem)}"`);
  });

  test('a certificate without SANs: URI= alone; no client certificate: no header', async () => {
    const spiffe = await issueCertificate({ subject: { CN: 'workload' }, issuer: chain.intermediate, keyType: 'ecdsa', dnsNames: [] });
    expect(forwardedClientCert('SANITIZE_SET', undefined, [x509(spiffe.certPem)], null, { uri: true })).toMatch(/^Hash=[0-9a-f]{64};URI=$/);
    expect(forwardedClientCert('SANITIZE_SET', 'Hash=abc', [], null, { uri: true })).toBeNull();
  });
});
