// The probe's file checks against real files: keys and certificates made by Node's crypto and the
// project's PKI (as the doc's layout holds them), a CSR and DH parameters from the real openssl,
// each given where another belongs, the mistakes a person makes with the doc's four folders.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../config';
import { issueCertificate, type CertKeyPair } from '../pki';
import { checkCertificatePem, checkKeyMatchesCertificate, checkKeyPem, checkProbeFiles } from './pem-check';

let rsa: CertKeyPair;
let ecdsa: CertKeyPair;
let csrPem: string;
let dhParamsPem: string;

/** The real openssl, writing to a scratch folder; returns the PEM it wrote. */
async function openssl(args: (out: string) => string[]): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pem-check-'));
  try {
    const out = path.join(dir, 'out.pem');
    const run = spawnSync('openssl', args(out), { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`openssl ${args(out).join(' ')}: ${run.stderr}`);
    return await readFile(out, 'utf8');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  [rsa, ecdsa] = await Promise.all([
    issueCertificate({ keyType: 'rsa', subject: { CN: 'client.example.com' } }),
    issueCertificate({ keyType: 'ecdsa', subject: { CN: 'client.example.com' } }),
  ]);
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'pem-check-key-'));
  try {
    const key = path.join(scratch, 'key.pem');
    await writeFile(key, ecdsa.keyPem, { mode: 0o600 });
    csrPem = await openssl((out) => ['req', '-new', '-key', key, '-subj', '/CN=client.example.com', '-out', out]);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  dhParamsPem = await openssl((out) => ['genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', 'dh_paramgen_prime_len:512', '-out', out]);
}, 60_000);

const named = (text: string, name = '--key 4_client/private/x.key.pem') => ({ text, name });
const der = () => Buffer.from(ecdsa.certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64').toString('latin1');

/** Runs a check and returns its UsageError's message (fails the test on anything else). */
function refusal(check: () => void): string {
  try {
    check();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('the check accepted the file');
}

describe('checkKeyPem: a private key file', () => {
  test('the layout\'s keys (RSA, ECDSA; PKCS#8 and the traditional forms) pass', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    for (const text of [rsa.keyPem, ecdsa.keyPem, privateKey.export({ format: 'pem', type: 'pkcs1' }) as string]) {
      expect(() => checkKeyPem(named(text))).not.toThrow();
    }
  });

  test.each([
    ['an empty file', () => '', '--key 4_client/private/x.key.pem: expected a private key (PEM), but it is empty'],
    ['a DER file', der, '--key 4_client/private/x.key.pem: expected a private key (PEM), but it looks binary (DER?): convert it with openssl x509 / openssl pkey -outform PEM'],
    ['a text without PEM', () => 'key: see the vault\n', '--key 4_client/private/x.key.pem: expected a private key (PEM), but it holds no PEM block'],
  ])('%s is no PEM', (_what, text, message) => {
    expect(refusal(() => checkKeyPem(named(text())))).toBe(message);
  });

  test('a key encrypted with a passphrase, PKCS#8 or traditional (Proc-Type), is refused as such', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pkcs8 = privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'secret' }) as string;
    const traditional = privateKey.export({ format: 'pem', type: 'pkcs1', cipher: 'aes-256-cbc', passphrase: 'secret' }) as string;
    // The armour line, split so that no key header stands in the source (the keys are made above).
    expect(pkcs8.split('\n')[0]).toBe(['-----BEGIN ENCRYPTED PRIVATE', 'KEY-----'].join(' '));
    expect(traditional).toMatch(/Proc-Type: 4,ENCRYPTED/);
    for (const text of [pkcs8, traditional]) {
      expect(refusal(() => checkKeyPem(named(text)))).toBe(
        '--key 4_client/private/x.key.pem: the private key is encrypted with a passphrase, which the probe cannot ask for; decrypt a copy with openssl pkey -in FILE -out PLAIN (and keep it mode 0600)',
      );
    }
  });

  test('a certificate, a public key, a CSR or DH parameters where the key belongs: named for what they are', () => {
    const publicKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ format: 'pem', type: 'spki' }) as string;
    expect(refusal(() => checkKeyPem(named(rsa.certPem)))).toBe("--key 4_client/private/x.key.pem: holds a certificate, not a private key; were --cert and --key swapped? The key is in the layout's private/ folder");
    expect(refusal(() => checkKeyPem(named(publicKey)))).toBe("--key 4_client/private/x.key.pem: holds a public key; the probe needs the private key (the layout's private/*.key.pem)");
    expect(refusal(() => checkKeyPem(named(csrPem)))).toBe('--key 4_client/private/x.key.pem: holds a certificate request, not a private key');
    expect(refusal(() => checkKeyPem(named(dhParamsPem + publicKey.replace(/PUBLIC KEY/g, 'X509 CRL'))))).toBe('--key 4_client/private/x.key.pem: holds DH PARAMETERS, X509 CRL, not a private key');
  });

  test('a key block Node cannot read is refused with its reason, never its content', () => {
    const broken = ecdsa.keyPem.replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA');
    const message = refusal(() => checkKeyPem(named(broken)));
    expect(message).toMatch(/^--key 4_client\/private\/x\.key\.pem: the private key cannot be read \(.+\)$/);
    expect(message).not.toContain(broken.split('\n')[1]!.slice(0, 16));
  });
});

describe('checkCertificatePem: a certificate file', () => {
  test('a certificate, and a bundle of several, pass', () => {
    expect(() => checkCertificatePem(named(rsa.certPem, '--cacert ca.pem'), 'CA certificates')).not.toThrow();
    expect(() => checkCertificatePem(named(rsa.certPem + ecdsa.certPem, '--cacert ca.pem'), 'CA certificates')).not.toThrow();
  });

  test('no PEM, a key where the certificate belongs, or another PEM type', () => {
    expect(refusal(() => checkCertificatePem(named('', '--cacert ca.pem'), 'CA certificates'))).toBe('--cacert ca.pem: expected CA certificates (PEM), but it is empty');
    expect(refusal(() => checkCertificatePem(named(ecdsa.keyPem, '--cert c.pem'), 'a client certificate'))).toBe(
      "--cert c.pem: holds a private key, not a client certificate; were --cert and --key swapped? Certificates are in the layout's certs/ folder",
    );
    expect(refusal(() => checkCertificatePem(named(csrPem, '--cert c.pem'), 'a client certificate'))).toBe('--cert c.pem: holds CERTIFICATE REQUEST, not a client certificate');
  });

  test('a certificate block that does not parse is refused with the reason', () => {
    const broken = rsa.certPem.replace(/\n[A-Za-z0-9+/]{40}/, '\n' + 'A'.repeat(40));
    expect(refusal(() => checkCertificatePem(named(broken, '--cert c.pem'), 'a client certificate'))).toMatch(/^--cert c\.pem: the certificate cannot be read \(.+\)$/);
  });
});

describe('checkKeyMatchesCertificate and checkProbeFiles', () => {
  test('the key made with a certificate matches it; another key does not, and the kinds are named', () => {
    expect(() => checkKeyMatchesCertificate(named(rsa.certPem, '--cert c.pem'), named(rsa.keyPem, '--key k.pem'))).not.toThrow();
    expect(refusal(() => checkKeyMatchesCertificate(named(rsa.certPem, '--cert c.pem'), named(ecdsa.keyPem, '--key k.pem')))).toBe(
      "--cert c.pem and --key k.pem do not belong together: the key is not the certificate's (rsa certificate, ec key); give the key made with that certificate",
    );
  });

  test('every file given is checked, the pair together; absent files are not', () => {
    expect(() => checkProbeFiles({})).not.toThrow();
    expect(() => checkProbeFiles({ ca: named(rsa.certPem, 'ca'), cert: named(ecdsa.certPem, 'cert'), key: named(ecdsa.keyPem, 'key') })).not.toThrow();
    expect(refusal(() => checkProbeFiles({ ca: named('', 'ca') }))).toMatch(/^ca: expected CA certificates/);
    expect(refusal(() => checkProbeFiles({ cert: named('', 'cert') }))).toMatch(/^cert: expected a client certificate/);
    expect(refusal(() => checkProbeFiles({ key: named('', 'key') }))).toMatch(/^key: expected a private key/);
    expect(refusal(() => checkProbeFiles({ cert: named(ecdsa.certPem, 'cert'), key: named(rsa.keyPem, 'key') }))).toMatch(/^cert and key do not belong together/);
  });
});
