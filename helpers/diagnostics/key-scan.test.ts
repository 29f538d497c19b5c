// The scan that refuses a file: the run's own keys in every form they can take on the way, and
// no false alarm on the public certificates (whose modulus the private key also holds).
import { beforeAll, describe, expect, test } from '@jest/globals';
import { createPrivateKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { makeDocChain, type DocChain } from '../pki';
import { tempDirs } from '../testing/temp-dirs';
import { base64Forms, keyScanner, type KeyScanner } from './key-scan';
import { KeyMaterialFound, writeScanned } from './write';

const makeTemp = tempDirs();
let chain: DocChain;
let ecChain: DocChain;
let scanner: KeyScanner;

beforeAll(async () => {
  [chain, ecChain] = await Promise.all([makeDocChain(), makeDocChain({ keyType: 'ecdsa', namePrefix: 'Ec' })]);
  scanner = keyScanner([
    { label: 'server key', pem: chain.server.keyPem },
    { label: 'EC client key', pem: ecChain.client.keyPem },
  ]);
}, 60_000);

/** A PEM's body without its armour: the key as a log or a careless copy might show it. */
const body = (pem: string) => pem.split('\n').filter((line) => line && !line.startsWith('-----')).join('\n');
const der = (pem: string) => createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });

describe('keyScanner', () => {
  test('base64Forms: each form is found in the base64 of a stream holding the bytes at any offset', () => {
    const bytes = Buffer.from('exactly these twenty-four');
    for (const lead of [0, 1, 2, 5]) {
      const stream = Buffer.concat([Buffer.alloc(lead, 7), bytes, Buffer.alloc(4, 9)]).toString('base64');
      expect(base64Forms(bytes).some((form) => stream.includes(form))).toBe(true);
    }
  });

  const forms: Array<[string, (pem: string) => string | Buffer]> = [
    ['the PEM body without armour', (pem) => body(pem)],
    ['the PEM inside JSON (\\n escapes)', (pem) => JSON.stringify({ log: body(pem) })],
    ['base64 of the PEM file (inline_bytes)', (pem) => JSON.stringify({ inline_bytes: Buffer.from(pem).toString('base64') })],
    ['the DER in base64 on one line', (pem) => der(pem).toString('base64')],
    ['the DER in hex with colons', (pem) => der(pem).toString('hex').replace(/(..)(?!$)/g, '$1:')],
    ['the raw DER bytes', (pem) => der(pem)],
    ['the JWK', (pem) => JSON.stringify(createPrivateKey(pem).export({ format: 'jwk' }))],
  ];

  test.each(forms)('finds the RSA key as %s', (_name, form) => {
    expect(scanner.findings(form(chain.server.keyPem)).length).toBeGreaterThan(0);
  });

  test.each(forms)('finds the EC key as %s', (_name, form) => {
    expect(scanner.findings(form(ecChain.client.keyPem)).length).toBeGreaterThan(0);
  });

  test('finds any one line of the private half of the PEM, alone and as base64 of that line', () => {
    // An RSA-2048 PKCS#8 key's modulus (public) ends about a quarter in: the second half is private.
    const lines = body(chain.server.keyPem).split('\n');
    const privateLines = lines.slice(Math.ceil(lines.length / 2), -1); // the last line may be short
    expect(privateLines.length).toBeGreaterThan(5);
    const missed = privateLines.filter((line) => scanner.findings(`log: ${line}`).length === 0 || scanner.findings(Buffer.from(`${line}\n`).toString('base64')).length === 0);
    expect(missed.length).toBe(0); // a count, not the lines: a failure must not print the key
  });

  test('finds any PEM private key armour, also in base64, and names what it found without the material', () => {
    const foreign = '-----BEGIN RSA PRIVATE' + ' KEY-----';
    expect(scanner.findings(`config: ${foreign}`)).toEqual(['the words PRIVATE KEY (a PEM private key armour)']);
    expect(scanner.findings(Buffer.from(`x${foreign}\nMIIE`).toString('base64'))).toEqual(['a PEM private key armour in base64']);
    const named = scanner.findings(Buffer.from(chain.server.keyPem).toString('base64'));
    expect(named.join(' ')).toMatch(/server key/);
    expect(named.join(' ')).not.toMatch(/[A-Za-z0-9+/]{30}/);
  });

  test('no false alarm: the certificates (PEM, base64, DER hex) and other keys pass', () => {
    for (const cert of [chain.server.certPem, ecChain.client.certPem, chain.caChainPem]) {
      expect(scanner.findings(cert)).toEqual([]);
      expect(scanner.findings(JSON.stringify({ inline_bytes: Buffer.from(cert).toString('base64') }))).toEqual([]);
    }
    // The client's key is not one of the scanner's: only its armour is seen.
    expect(scanner.findings(body(chain.client.keyPem))).toEqual([]);
  });

  test('a key that cannot be read is said so, not silently skipped', () => {
    expect(keyScanner([{ label: 'broken key', pem: 'not a key' }]).unreadable).toEqual([expect.stringMatching(/^broken key: /)]);
  });

  test('scans a 2 MB file in well under a second', () => {
    const big = JSON.stringify({ data: Buffer.alloc(1_500_000, 'abc').toString('base64') });
    const started = Date.now();
    expect(scanner.findings(big)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});

describe('writeScanned', () => {
  test('refuses a file that still holds key material and writes nothing', () => {
    const file = path.join(makeTemp('igc-diag-write-'), 'config-dump.json');
    const leaking = JSON.stringify({ private_key: { inline_bytes: Buffer.from(chain.server.keyPem).toString('base64') } });
    expect(() => writeScanned(file, leaking, scanner)).toThrow(KeyMaterialFound);
    expect(() => writeScanned(file, leaking, scanner)).toThrow(/config-dump\.json was not written: after redaction it still held .*the server key's PEM file in base64/);
    expect(existsSync(file)).toBe(false);
  });

  test('writes a clean file and returns its size', () => {
    const file = path.join(makeTemp('igc-diag-write-'), 'ok.json');
    expect(writeScanned(file, '{"private_key":"[redacted]"}', scanner)).toBe(28);
    expect(existsSync(file)).toBe(true);
  });
});
