// SG-C1: the doc's chain, checked by the openssl command line rather than by the generator.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { certificateSummary, makeDocChain, writeDocLayout, type DocChain, type DocLayout } from './index';
import { runOpenssl } from './openssl-cli';

// RSA key generation is random and shares 2 cores with other work: give it room (the budget is
// measured by scripts/bench-certs, not here).
jest.setTimeout(30_000);

const HOST = 'httpbin.example.com';
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'pki-chain-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function writtenChain(name: string, options: Parameters<typeof makeDocChain>[0] = {}): Promise<{ chain: DocChain; layout: DocLayout }> {
  const chain = await makeDocChain(options);
  return { chain, layout: await writeDocLayout(chain, path.join(tmp, name)) };
}

/** `openssl verify` of a leaf against the root, with the intermediate as untrusted. */
function opensslVerify(layout: DocLayout, cert: string, ...extra: string[]) {
  return runOpenssl(['verify', ...extra, '-CAfile', layout.rootCert, '-untrusted', layout.intermediateCert, cert]);
}

async function opensslText(cert: string, ...args: string[]): Promise<string> {
  const result = await runOpenssl(['x509', '-noout', '-in', cert, ...args]);
  expect(result).toMatchObject({ code: 0 });
  return result.stdout;
}

describe.each(['rsa', 'ecdsa'] as const)('SG-C1 the doc chain (%s)', (keyType) => {
  let chain: DocChain;
  let layout: DocLayout;
  beforeAll(async () => {
    ({ chain, layout } = await writtenChain(`doc-${keyType}`, { keyType }));
  });

  test('openssl verifies the server and the client certificate against the root and the intermediate', async () => {
    for (const [cert, purpose] of [
      [layout.serverCert, 'sslserver'],
      [layout.clientCert, 'sslclient'],
    ] as const) {
      const result = await opensslVerify(layout, cert, '-purpose', purpose);
      expect(result.stderr).toBe('');
      expect(result).toMatchObject({ code: 0, stdout: `${cert}: OK\n` });
    }
  });

  test('the extended key usage separates the two: the client certificate is no server certificate', async () => {
    const result = await opensslVerify(layout, layout.clientCert, '-purpose', 'sslserver');
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/unsuitable certificate purpose/);
  });

  test('openssl shows the doc subjects: CN=<host> on the leaves, distinct CA names', async () => {
    for (const cert of [layout.serverCert, layout.clientCert]) {
      expect(await opensslText(cert, '-subject')).toBe(`subject=C = US, ST = Denial, L = Springfield, O = Dis, CN = ${HOST}\n`);
      expect(await opensslText(cert, '-issuer')).toBe(`issuer=C = US, ST = Denial, L = Springfield, O = Dis, CN = ${HOST} Intermediate CA\n`);
    }
    expect(await opensslText(layout.intermediateCert, '-issuer')).toMatch(/CN = httpbin\.example\.com Root CA\n$/);
    expect(await opensslText(layout.rootCert, '-subject')).toMatch(/CN = httpbin\.example\.com Root CA\n$/);
  });

  test('the extensions today’s TLS stacks need', async () => {
    const ext = (cert: string) => opensslText(cert, '-ext', 'basicConstraints,keyUsage,extendedKeyUsage,subjectAltName,subjectKeyIdentifier,authorityKeyIdentifier');
    const leafUsage = keyType === 'rsa' ? 'Digital Signature, Key Encipherment' : 'Digital Signature';
    const root = await ext(layout.rootCert);
    expect(root).toMatch(/Basic Constraints: critical\n\s+CA:TRUE\n/);
    expect(root).toMatch(/Key Usage: critical\n\s+Certificate Sign, CRL Sign\n/);
    const intermediate = await ext(layout.intermediateCert);
    expect(intermediate).toMatch(/Basic Constraints: critical\n\s+CA:TRUE, pathlen:0\n/);
    expect(intermediate).toMatch(/Key Usage: critical\n\s+Certificate Sign, CRL Sign\n/);
    const server = await ext(layout.serverCert);
    expect(server).toMatch(/Basic Constraints: ?\n\s+CA:FALSE\n/);
    expect(server).toMatch(new RegExp(`Key Usage: critical\\n\\s+${leafUsage}\\n`));
    expect(server).toMatch(/Extended Key Usage: ?\n\s+TLS Web Server Authentication\n/);
    expect(server).toMatch(/Subject Alternative Name: ?\n\s+DNS:httpbin\.example\.com\n/);
    const client = await ext(layout.clientCert);
    expect(client).toMatch(/Extended Key Usage: ?\n\s+TLS Web Client Authentication\n/);
    expect(client).toMatch(/Subject Alternative Name: ?\n\s+DNS:httpbin\.example\.com\n/);

    // Each authority key identifier is its issuer's subject key identifier.
    const keyIds = (text: string) => ({
      subject: /Subject Key Identifier: ?\n\s+([0-9A-F:]+)\n/.exec(text)?.[1],
      authority: /Authority Key Identifier: ?\n\s+(?:keyid:)?([0-9A-F:]+)\n/.exec(text)?.[1],
    });
    expect(keyIds(root).subject).toMatch(/^[0-9A-F]{2}(:[0-9A-F]{2}){19}$/);
    expect(keyIds(root).authority).toBe(keyIds(root).subject);
    expect(keyIds(intermediate).authority).toBe(keyIds(root).subject);
    expect(keyIds(server).authority).toBe(keyIds(intermediate).subject);
    expect(keyIds(client).authority).toBe(keyIds(intermediate).subject);
  });

  test('SHA-256 signatures, random positive serials, the doc’s key sizes and validity days', async () => {
    const algorithm = keyType === 'rsa' ? 'sha256WithRSAEncryption' : 'ecdsa-with-SHA256';
    const serials = new Set<string>();
    for (const cert of [layout.rootCert, layout.intermediateCert, layout.serverCert, layout.clientCert]) {
      const text = await opensslText(cert, '-text');
      expect(text).toContain(`Signature Algorithm: ${algorithm}`);
      expect(text).toContain(keyType === 'rsa' ? 'Public-Key: (2048 bit)' : 'NIST CURVE: P-256');
      const serial = (await opensslText(cert, '-serial')).trim().replace(/^serial=/, '');
      expect(serial).toMatch(/^[1-7][0-9A-F]{31}$/);
      serials.add(serial);
      // certificateSummary gives the same serial, in Envoy's lowercase.
      expect(certificateSummary(await readFile(cert, 'utf8')).serialNumber).toBe(serial.toLowerCase());
    }
    expect(serials.size).toBe(4);
    const days = (pem: string) => {
      const { notBefore, notAfter } = certificateSummary(pem);
      return Math.round((notAfter.getTime() - notBefore.getTime()) / 86_400_000);
    };
    expect([chain.root, chain.intermediate, chain.server, chain.client].map((pair) => days(pair.certPem))).toEqual([7300, 3650, 375, 375]);
  });

  test('ca-chain.cert.pem is the intermediate, then the root', async () => {
    const text = await readFile(layout.caChain, 'utf8');
    expect(text).toBe(chain.intermediate.certPem + chain.root.certPem);
    const blocks = text.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\n/g) ?? [];
    expect(blocks.map((pem) => new X509Certificate(pem).subject.split('\n').at(-1))).toEqual([
      `CN=${HOST} Intermediate CA`,
      `CN=${HOST} Root CA`,
    ]);
    // What the doc's curl does: the whole chain file as the only trust.
    const result = await runOpenssl(['verify', '-CAfile', layout.caChain, layout.serverCert]);
    expect(result).toMatchObject({ code: 0, stdout: `${layout.serverCert}: OK\n` });
  });
});

describe('SG-C1 chains that must not verify', () => {
  test('an expired server certificate fails openssl verify with "certificate has expired"', async () => {
    const { layout } = await writtenChain('expired', { serverNotAfter: new Date(Date.now() - 86_400_000) });
    const result = await opensslVerify(layout, layout.serverCert);
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/certificate has expired/);
    // The rest of that chain is sound: only the server certificate is out of date.
    expect(await opensslVerify(layout, layout.clientCert)).toMatchObject({ code: 0 });
  });

  test("a second chain (namePrefix) has names of its own, and its leaves do not verify against the first chain's root", async () => {
    const first = await writtenChain('first');
    const second = await writtenChain('second', { namePrefix: 'Other ' });
    expect(certificateSummary(second.chain.root.certPem).subject).toMatchObject({ O: 'Other Dis', CN: `Other ${HOST} Root CA` });
    expect(certificateSummary(second.chain.client.certPem).issuer).toMatchObject({ CN: `Other ${HOST} Intermediate CA` });
    const result = await runOpenssl(['verify', '-CAfile', first.layout.caChain, second.layout.clientCert]);
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/unable to get local issuer certificate/);
  });

  test('the doc’s RSA 4096 CAs on request (caRsaBits), leaves at rsaBits', async () => {
    const { layout } = await writtenChain('doc-sizes', { caRsaBits: 4096, rsaBits: 2048 });
    expect(await opensslText(layout.rootCert, '-text')).toContain('Public-Key: (4096 bit)');
    expect(await opensslText(layout.intermediateCert, '-text')).toContain('Public-Key: (4096 bit)');
    expect(await opensslText(layout.serverCert, '-text')).toContain('Public-Key: (2048 bit)');
    expect(await opensslVerify(layout, layout.serverCert)).toMatchObject({ code: 0 });
  });
});
