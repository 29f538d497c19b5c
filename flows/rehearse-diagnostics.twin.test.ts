// A failing rehearsal leaves a diagnostics bundle (issue 14): with fault server-cert-wrong-host,
// SG-S4 fails and reports/secure-gateways/diagnostics/SG-S4/ holds every part, showing the cause
// (the served certificate is for wrong.example.com). Then every file under the report folder is
// searched for private key material: the real grep for `PRIVATE KEY`, and, independently of the
// suite's own scan, every base64, base64url and hex run in them decoded (twice, for base64 of a
// PEM file) and searched for the bytes of the run's own private keys (the rehearsal's cert dir).
// Needs root and the built binaries (npm run twin:build); never builds. One twin, one rehearsal.
import { spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { loadSettings } from '../helpers/config';
import type { BundleIndex } from '../helpers/diagnostics';
import { rehearse, startRehearsalTwin, type RehearsalResult, type RehearsalTwin } from './rehearse';

const settings = loadSettings();
const FAULT_BUDGET_MS = 10_000;
const PARTS = ['config-dump', 'proxy-status', 'gateway-log', 'istiod-log', 'events', 'secrets', 'objects', 'observation'];

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(file) : entry.isFile() ? [file] : [];
  });
}

/** The private parts of a key (RSA d, p, q, dp, dq, qi; EC d): the modulus is in the certificate too. */
function privateParts(pem: string): Buffer[] {
  const jwk = createPrivateKey(pem).export({ format: 'jwk' }) as Record<string, unknown>;
  return ['d', 'p', 'q', 'dp', 'dq', 'qi'].flatMap((name) => (typeof jwk[name] === 'string' ? [Buffer.from(jwk[name] as string, 'base64url')] : []));
}

/** Every byte view of a text: itself, and each base64/base64url/hex run in it decoded at each alignment. */
function decodedViews(bytes: Buffer, depth = 0): Buffer[] {
  const text = bytes.toString('latin1');
  const flat = text.replace(/\\[nr]|\s/g, '');
  const views = [bytes];
  for (const run of flat.match(/[A-Za-z0-9+/_-]{32,}={0,2}/g) ?? []) {
    for (let skip = 0; skip < 4; skip += 1) {
      for (const encoding of ['base64', 'base64url'] as const) {
        const decoded = Buffer.from(run.slice(skip), encoding);
        views.push(decoded);
        // base64 of a PEM file (Envoy's inline_bytes): the PEM's own base64 inside.
        if (depth === 0 && skip === 0) views.push(...decodedViews(decoded, 1).slice(1));
      }
    }
  }
  for (const run of flat.toLowerCase().replace(/:/g, '').match(/[0-9a-f]{32,}/g) ?? []) {
    views.push(Buffer.from(run, 'hex'), Buffer.from(run.slice(1), 'hex'));
  }
  return views;
}

/** Whether any view holds a 16-byte slice (start, middle or end) of a private part. */
function holdsKey(content: Buffer, parts: Buffer[]): boolean {
  const slices = parts.flatMap((part) => [0, Math.floor((part.length - 16) / 2), part.length - 16].map((start) => part.subarray(start, start + 16)));
  return decodedViews(content).some((view) => slices.some((slice) => view.includes(slice)));
}

describe('diagnostics of a failing rehearsal (root, built binaries)', () => {
  let twin: RehearsalTwin | undefined;
  let outcome: RehearsalResult;
  const work = path.join(settings.CACHE_DIR, 'twin', 'state', 'diagnostics-test-files');
  const reportDir = path.join(work, 'reports');
  const certDir = path.join(work, 'certs');
  const bundle = path.join(reportDir, 'secure-gateways', 'diagnostics', 'SG-S4');
  const read = (file: string) => fs.readFileSync(path.join(bundle, file), 'utf8');

  beforeAll(async () => {
    fs.rmSync(work, { recursive: true, force: true });
    fs.mkdirSync(certDir, { recursive: true, mode: 0o700 });
    twin = await startRehearsalTwin(settings, (line) => /faults:|error/i.test(line) && console.error(line), path.join(settings.CACHE_DIR, 'twin', 'state', 'diagnostics-test'));
    outcome = await rehearse(twin, { faults: ['server-cert-wrong-host'], stopAtFirstFailure: true, waitBudgetMs: FAULT_BUDGET_MS, reportDir, certDir, quiet: true, host: settings.HOST });
  }, 300_000);

  afterAll(async () => {
    await twin?.release();
    fs.rmSync(work, { recursive: true, force: true });
  }, 60_000);

  test('SG-S4 fails, and its bundle holds every part, showing the cause', () => {
    expect(outcome.firstFailed?.id).toBe('SG-S4');
    expect(outcome.firstFailed?.diagnostics).toBe(path.join('diagnostics', 'SG-S4', 'index.json'));
    // Only the failed step has a bundle (the run stopped at it; cleanup passed).
    expect(fs.readdirSync(path.dirname(bundle))).toEqual(['SG-S4']);

    const index = JSON.parse(read('index.json')) as BundleIndex;
    expect(index.parts.map((part) => [part.part, part.status, part.reason ?? ''])).toEqual(PARTS.map((part) => [part, 'collected', '']));
    expect(index.durationMs).toBeLessThan(index.budgets.bundleMs);
    for (const part of index.parts) expect(fs.statSync(path.join(bundle, part.file!)).size).toBe(part.bytes);

    // The served certificate, by its facts: the fault's, for wrong.example.com, issued by the run's intermediate.
    const dump = read('config-dump.json');
    expect(dump.includes('"subject": "CN=wrong.example.com"')).toBe(true);
    expect(dump.includes('"private_key": "[redacted]"')).toBe(true);
    const status = JSON.parse(read('proxy-status.json')) as { gateway: Record<string, string> | null };
    expect(status.gateway).toMatchObject({ CDS: expect.any(String), LDS: expect.any(String) });
    const observation = JSON.parse(read('observation.json')) as { observation: { outcome: string; reason: string } };
    expect(observation.observation).toMatchObject({ outcome: 'untrusted', reason: 'hostname-mismatch' });
    expect(read('gateway.log').split('\n').filter(Boolean).length).toBeGreaterThan(0);
    expect(read('istiod.log').split('\n').filter(Boolean).length).toBeGreaterThan(0);
    expect(Object.keys(JSON.parse(read('events.json')) as object)).toEqual(['istio-system', 'default']);
    const secrets = JSON.parse(read('secrets.json')) as Array<{ name: string; exists: boolean; keys?: Record<string, number>; data?: unknown }>;
    expect(secrets.map((secret) => [secret.name, secret.exists, Object.keys(secret.keys ?? {}).sort(), 'data' in secret])).toEqual([
      ['istio-ingressgateway-certs', true, ['tls.crt', 'tls.key'], false],
      ['istio-ingressgateway-ca-certs', false, [], false],
    ]);
    const objects = JSON.parse(read('objects.json')) as Array<{ ref: string; found: boolean }>;
    expect(objects.map((object) => [object.ref, object.found])).toEqual([
      ['Gateway default/httpbin-gateway', true],
      ['VirtualService default/httpbin', true],
      ['Service istio-system/istio-ingressgateway', true],
    ]);
  });

  test('no file under the report folder holds private key material: grep PRIVATE KEY, and the bytes of the run\'s own keys', () => {
    const files = filesUnder(reportDir);
    expect(files.length).toBeGreaterThanOrEqual(PARTS.length + 2); // the bundle, steps.json, conformance.xml
    // The real grep: names of matching files only (never their lines). Exit 1: nothing matched.
    const grep = spawnSync('grep', ['-rl', 'PRIVATE KEY', reportDir], { encoding: 'utf8' });
    expect({ status: grep.status, files: grep.stdout.split('\n').filter(Boolean) }).toEqual({ status: 1, files: [] });

    const keyFiles = filesUnder(certDir).filter((file) => fs.readFileSync(file, 'latin1').includes('PRIVATE KEY'));
    expect(keyFiles.length).toBeGreaterThanOrEqual(4); // root, intermediate, server, client
    for (const keyFile of keyFiles) {
      const pem = fs.readFileSync(keyFile, 'utf8');
      const parts = privateParts(pem);
      // The search can find the key: in its own file, and as base64 of that file (inline_bytes).
      expect(holdsKey(Buffer.from(pem), parts)).toBe(true);
      expect(holdsKey(Buffer.from(JSON.stringify({ inline_bytes: Buffer.from(pem).toString('base64') })), parts)).toBe(true);
      const leaking = files.filter((file) => holdsKey(fs.readFileSync(file), parts)).map((file) => path.relative(reportDir, file));
      expect({ key: path.relative(certDir, keyFile), leaking }).toEqual({ key: path.relative(certDir, keyFile), leaking: [] });
    }
  });
});
