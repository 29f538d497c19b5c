// issueCertificate as a general-purpose tool (the twin's control plane uses it too), and
// certificateSummary as Envoy's /certs shows a certificate.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { certificateSummary, issueCertificate, subjectAltNames, type CertKeyPair, type KeyType } from './index';
import { runOpenssl } from './openssl-cli';

// RSA key generation is random and shares 2 cores with other work: give it room (the budget is
// measured by scripts/bench-certs, not here).
jest.setTimeout(30_000);

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'pki-issue-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

let fileCount = 0;
async function pemFile(pem: string): Promise<string> {
  const file = path.join(tmp, `${++fileCount}.pem`);
  await writeFile(file, pem);
  return file;
}

async function verify(ca: CertKeyPair, leaf: CertKeyPair, ...extra: string[]) {
  return runOpenssl(['verify', ...extra, '-CAfile', await pemFile(ca.certPem), await pemFile(leaf.certPem)]);
}

describe('issueCertificate', () => {
  test.each([
    ['rsa', 'ecdsa'],
    ['ecdsa', 'rsa'],
    ['ecdsa', 'ecdsa'],
    ['rsa', 'rsa'],
  ] as Array<[KeyType, KeyType]>)('a %s CA signs a %s leaf with DNS and IP names that openssl accepts', async (caType, leafType) => {
    const ca = await issueCertificate({ subject: { O: 'Twin', CN: 'twin CA' }, ca: {}, keyType: caType });
    const leaf = await issueCertificate({
      subject: { CN: 'gateway' },
      issuer: ca,
      keyType: leafType,
      dnsNames: ['gateway.istio-system.svc', 'localhost'],
      ipAddresses: ['127.0.0.1', '::1'],
      extendedKeyUsage: ['serverAuth', 'clientAuth'],
    });
    const result = await verify(ca, leaf, '-purpose', 'sslserver', '-verify_ip', '127.0.0.1', '-verify_hostname', 'localhost');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const summary = certificateSummary(leaf.certPem);
    expect(summary).toMatchObject({ subject: { CN: 'gateway' }, issuer: { O: 'Twin', CN: 'twin CA' }, dnsNames: ['gateway.istio-system.svc', 'localhost'] });
    const san = await runOpenssl(['x509', '-noout', '-ext', 'subjectAltName', '-in', await pemFile(leaf.certPem)]);
    expect(san.stdout).toContain('DNS:gateway.istio-system.svc, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
  });

  test('defaults: self-signed, not a CA, valid from an hour ago for 365 days', async () => {
    const before = Date.now();
    const pair = await issueCertificate({ subject: { CN: 'alone' } });
    const summary = certificateSummary(pair.certPem);
    expect(summary.issuer).toEqual({ CN: 'alone' });
    expect(Math.abs(summary.notBefore.getTime() - (before - 3_600_000))).toBeLessThan(5_000);
    expect(Math.round((summary.notAfter.getTime() - summary.notBefore.getTime()) / 86_400_000)).toBe(365);
    const text = await runOpenssl(['x509', '-noout', '-text', '-in', await pemFile(pair.certPem)]);
    expect(text.stdout).toContain('Public-Key: (2048 bit)');
    expect(text.stdout).toMatch(/CA:FALSE/);
    expect(pair.keyPem).toMatch(/^-----BEGIN PRIVATE[ ]KEY-----\n/);
  });

  test.each(['rsa', 'ecdsa'] as const)('names are encoded as OpenSSL writes them (%s): C PrintableString, others UTF8String', async (keyType) => {
    const pair = await issueCertificate({ subject: { C: 'US', O: 'Dis', CN: 'Zürich' }, keyType });
    const parsed = await runOpenssl(['asn1parse', '-in', await pemFile(pair.certPem)]);
    expect(parsed.stdout).toMatch(/PRINTABLESTRING\s+:US\n/);
    expect(parsed.stdout).toMatch(/UTF8STRING\s+:Dis\n/);
    expect(certificateSummary(pair.certPem).subject).toEqual({ C: 'US', O: 'Dis', CN: 'Zürich' });
  });

  test('notBefore and notAfter are kept to the second', async () => {
    const notBefore = new Date('2020-01-02T03:04:05Z');
    const notAfter = new Date('2021-01-02T03:04:05Z');
    const summary = certificateSummary((await issueCertificate({ subject: { CN: 'old' }, keyType: 'ecdsa', notBefore, notAfter })).certPem);
    expect(summary).toMatchObject({ notBefore, notAfter });
  });

  test.each([
    [{ subject: { CN: 'x' }, notBefore: new Date('2030-01-01'), notAfter: new Date('2029-01-01') }, /notBefore .* must be before notAfter/],
    [{ subject: { CN: 'x', Street: 'Evergreen Terrace' } }, /unknown subject attribute Street/],
    [{ subject: {} }, /at least one attribute/],
    [{ subject: { C: 'USA' } }, /two-letter country code/],
    [{ subject: { CN: 'x' }, rsaBits: 1024 }, /at least 2048 bits/],
    [{ subject: { CN: 'x' }, ipAddresses: ['999.1.1.1'] }, /not an IP address/],
    [{ subject: { CN: 'x' }, ca: { pathLength: -1 } }, /pathLength/],
  ])('refuses a bad request: %j', async (options, message) => {
    await expect(issueCertificate(options)).rejects.toThrow(message);
  });

  test("refuses an issuer whose key is not its certificate's", async () => {
    const [a, b] = await Promise.all([issueCertificate({ subject: { CN: 'a' }, ca: {} }), issueCertificate({ subject: { CN: 'b' }, ca: {} })]);
    await expect(issueCertificate({ subject: { CN: 'leaf' }, issuer: { certPem: a.certPem, keyPem: b.keyPem } })).rejects.toThrow(/does not belong/);
  });
});

describe('certificateSummary', () => {
  // Envoy prints BN_bn2hex in lowercase: whole bytes, no leading zero bytes (the doc: 100212).
  test.each([
    ['0x100212', '100212'],
    ['0x0f12', '0f12'],
    ['0x00ff', 'ff'],
  ])('serial %s reads as %s', async (serial, expected) => {
    const dir = await mkdtemp(path.join(tmp, 'serial-'));
    const made = await runOpenssl(
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-subj', '/CN=serial', '-set_serial', serial, '-days', '1'],
      { cwd: dir },
    );
    expect(made.code).toBe(0);
    expect(certificateSummary(await readFile(path.join(dir, 'cert.pem'), 'utf8')).serialNumber).toBe(expected);
  });

  test('subjectAltNames reads the kinds apart, and quoted values', () => {
    const text = 'DNS:a.example.com, IP Address:10.0.0.1, DNS:"b,c.example.com", URI:spiffe://cluster.local/ns/x';
    expect(subjectAltNames(text, 'DNS')).toEqual(['a.example.com', 'b,c.example.com']);
    expect(subjectAltNames(text, 'IP Address')).toEqual(['10.0.0.1']);
    expect(subjectAltNames(text, 'URI')).toEqual(['spiffe://cluster.local/ns/x']);
    expect(subjectAltNames(undefined, 'DNS')).toEqual([]);
  });
});
