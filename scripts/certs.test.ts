// `npm run certs`: run as a person runs it (a separate process), checked on what it writes and says.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createPrivateKey } from 'node:crypto';
import { access, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { certificateSummary, docLayoutPaths } from '../helpers/pki';
import { runEntryPoint } from '../helpers/testing/run-entry-point';

// Each case starts Node and tsx afresh, which takes a few seconds on a busy 2-core machine.
const PROCESS_TIMEOUT_MS = 30_000;
let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'certs-cli-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function runCerts(args: string[], env: Record<string, string> = {}) {
  return runEntryPoint('scripts/certs.ts', args, { env: { ...process.env, ...env } });
}

describe('SG-C1 npm run certs', () => {
  test('writes the layout for --host into --out and prints paths, subjects and serials, never keys', async () => {
    const out = path.join(tmp, 'flags');
    const run = await runCerts(['--host', 'shop.example.org', '--out', out, '--key-type', 'ecdsa']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const layout = docLayoutPaths(out, 'shop.example.org');
    expect(run.stdout).toContain(`for shop.example.org (ECDSA P-256)`);
    expect(run.stdout).toContain(layout.dir);
    const server = certificateSummary(await readFile(layout.serverCert, 'utf8'));
    expect(run.stdout).toMatch(new RegExp(`server +3_application/certs/shop\\.example\\.org\\.cert\\.pem +serial ${server.serialNumber} .*CN=shop\\.example\\.org\\n`));
    expect(run.stdout).toContain('CN=shop.example.org Intermediate CA');
    expect(run.stdout).toContain('3_application/private/shop.example.org.key.pem');
    expect(run.stdout).not.toMatch(/PRIVATE KEY|BEGIN/);
    expect(createPrivateKey(await readFile(layout.serverKey)).asymmetricKeyType).toBe('ec');
    expect((await stat(layout.serverKey)).mode & 0o777).toBe(0o600);
  }, PROCESS_TIMEOUT_MS);

  test('takes its defaults from the settings HOST, KEY_TYPE and RSA_BITS; --ca-rsa-bits sizes the CAs', async () => {
    const out = path.join(tmp, 'settings');
    const run = await runCerts(['--out', out, '--ca-rsa-bits', '3072'], { HOST: 'from-env.example.com', KEY_TYPE: 'rsa', RSA_BITS: '3072' });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('for from-env.example.com (RSA: CAs 3072 bits, leaves 3072 bits)');
    const layout = docLayoutPaths(out, 'from-env.example.com');
    for (const key of [layout.rootKey, layout.serverKey]) {
      expect(createPrivateKey(await readFile(key)).asymmetricKeyDetails?.modulusLength).toBe(3072);
    }
  }, PROCESS_TIMEOUT_MS);

  test.each([
    [['--out', 'x', '--rsa-bits', '1024'], /^error: option '--rsa-bits <n>' argument '1024' is invalid\. .*2048, 3072 or 4096\n$/],
    [['--out', 'x', '--key-type', 'dsa'], /^error: option '--key-type <type>' argument 'dsa' is invalid\. use one of rsa, ecdsa\n$/],
    [['--out', 'x', '--host', 'not a host'], /^error: option '--host <name>' argument 'not a host' is invalid\. expected a DNS name: labels of 1 to 63 .*\n$/],
    [['--host', 'a.example.com'], /^error: required option '--out <dir>' not specified\n$/],
    [['--out', 'x', '--colour'], /^error: unknown option '--colour'\n$/],
  ])('a bad flag is one line and exit 2: %j', async (args, message) => {
    const run = await runCerts(args.map((arg) => (arg === 'x' ? path.join(tmp, 'never') : arg)));
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(message);
    await expect(access(path.join(tmp, 'never'))).rejects.toThrow(/ENOENT/);
  }, PROCESS_TIMEOUT_MS);
});
