// The bundle against clusters that cannot answer: a real closed local port (connection refused)
// and a real TCP server that accepts and never answers (every request hangs). Each part must end
// within its budget with a one-line reason in index.json, the local part (the observation) must
// still be written, and no file may hold the run's key.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { KubeClient } from '../kube';
import { makeDocChain, type DocChain } from '../pki';
import { tempDirs } from '../testing/temp-dirs';
import { closedPort, kubeClientAt } from '../testing/unreachable-cluster';
import { writeBundle, type BundleRequest } from './bundle';
import { keyScanner } from './key-scan';
import type { BundleIndex } from './types';

const makeTemp = tempDirs();
const CLUSTER_PARTS = ['config-dump', 'proxy-status', 'gateway-log', 'istiod-log', 'events', 'secrets', 'objects'];
let chain: DocChain;
const sockets = new Set<net.Socket>();
let silent: net.Server;

function request(kube: KubeClient, folder: string, partMs: number, extra: Partial<BundleRequest> = {}): BundleRequest {
  return {
    catalogue: 'secure-gateways',
    folder,
    step: { id: 'SG-S4', title: 'curl … answers 418', status: 'failed', durationMs: 10_020, expected: 'HTTP/2 418 from httpbin', observed: 'the client saw: untrusted (hostname-mismatch)' },
    observation: { outcome: 'untrusted', reason: 'hostname-mismatch', peer: { subject: { CN: 'wrong.example.com' }, serialNumber: '1a2b' } },
    target: {
      kube,
      gateway: { namespace: 'istio-system', selector: 'ingressgateway', container: 'istio-proxy' },
      namespaces: ['istio-system', 'default'],
      secrets: [{ namespace: 'istio-system', name: 'istio-ingressgateway-certs' }],
      objects: [{ apiVersion: 'networking.istio.io/v1', kind: 'Gateway', namespace: 'default', name: 'httpbin-gateway' }],
    },
    keys: [{ label: 'server key', pem: chain.server.keyPem }],
    budgets: { partMs, bundleMs: partMs * 3 },
    ...extra,
  };
}

function filesOf(folder: string): string[] {
  return readdirSync(folder).sort();
}

beforeAll(async () => {
  chain = await makeDocChain();
  silent = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
}, 60_000);

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

describe('writeBundle', () => {
  test('a cluster that refuses connections: every cluster part not collected, with the reason; the observation written', async () => {
    const folder = path.join(makeTemp('igc-diag-'), 'secure-gateways', 'diagnostics', 'SG-S4');
    const kube = kubeClientAt(`https://127.0.0.1:${await closedPort()}`);
    const started = Date.now();
    const index = await writeBundle(request(kube, folder, 2_000));
    expect(Date.now() - started).toBeLessThan(4_000);

    expect(index.parts.map((part) => part.part)).toEqual([...CLUSTER_PARTS, 'observation']);
    for (const part of index.parts.filter((p) => CLUSTER_PARTS.includes(p.part))) {
      expect({ part: part.part, status: part.status, file: part.file }).toEqual({ part: part.part, status: 'not-collected', file: undefined });
      expect(part.reason).toMatch(/ECONNREFUSED|cannot reach/);
      expect(part.reason).not.toMatch(/\n/);
      expect(part.holds.length).toBeGreaterThan(10);
    }
    expect(index.parts.at(-1)).toMatchObject({ part: 'observation', status: 'collected', file: 'observation.json' });
    expect(filesOf(folder)).toEqual(['index.json', 'observation.json']);

    // index.json on disk is what was returned, in the shape the HTML report reads.
    const written = JSON.parse(readFileSync(path.join(folder, 'index.json'), 'utf8')) as BundleIndex;
    expect(written).toEqual(index);
    expect(written).toMatchObject({ catalogue: 'secure-gateways', step: { id: 'SG-S4', status: 'failed', expected: 'HTTP/2 418 from httpbin' }, budgets: { partMs: 2_000, bundleMs: 6_000 } });
    expect(Date.parse(written.collectedAt)).not.toBeNaN();
    const observation = JSON.parse(readFileSync(path.join(folder, 'observation.json'), 'utf8')) as { result: { id: string }; observation: { reason: string } };
    expect(observation).toMatchObject({ result: { id: 'SG-S4' }, observation: { outcome: 'untrusted', reason: 'hostname-mismatch' } });
  }, 30_000);

  test('a cluster that never answers: each part ends within its budget, the bundle within its own', async () => {
    const folder = makeTemp('igc-diag-silent-');
    const kube = kubeClientAt(`https://127.0.0.1:${(silent.address() as net.AddressInfo).port}`);
    const started = Date.now();
    const index = await writeBundle(request(kube, folder, 800));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(2_400);
    expect(index.durationMs).toBeLessThanOrEqual(elapsed);
    for (const part of index.parts.filter((p) => CLUSTER_PARTS.includes(p.part))) {
      expect(part.status).toBe('not-collected');
      expect(part.durationMs).toBeLessThan(1_500);
      expect(part.reason).toMatch(/within its budget of 800 ms|did not answer in time/);
    }
    expect(index.parts.find((part) => part.part === 'observation')?.status).toBe('collected');
  }, 30_000);

  test('key material in what the step saw is redacted, or the file is refused: no file of the bundle holds it', async () => {
    const folder = makeTemp('igc-diag-leak-');
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'stale.json'), '{}'); // a previous run's bundle is replaced
    const kube = kubeClientAt(`https://127.0.0.1:${await closedPort()}`);
    const scanner = keyScanner([{ label: 'server key', pem: chain.server.keyPem }]);
    const clean = () => filesOf(folder).map((file) => ({ file, findings: scanner.findings(readFileSync(path.join(folder, file))) }));

    // A PEM block and a base64 PEM file in the observation: redacted by content, the file written.
    await writeBundle(request(kube, folder, 1_000, { observation: { body: `oops ${chain.server.keyPem}`, inline_bytes: Buffer.from(chain.server.keyPem).toString('base64') } }));
    expect(filesOf(folder)).toEqual(['index.json', 'observation.json']);
    expect(clean().flatMap((file) => file.findings)).toEqual([]);
    expect(readFileSync(path.join(folder, 'observation.json'), 'utf8')).toContain('[redacted]');

    // Bare lines of the key in the step's own words (no armour to redact by): the scan refuses
    // observation.json, and index.json goes without those words.
    const leaking = request(kube, folder, 1_000);
    // Two lines from the end of the PEM: the private exponents (its first lines hold the public modulus).
    const lines = chain.server.keyPem.trim().split('\n');
    leaking.step = { ...leaking.step, observed: `it printed ${lines.at(-3)}${lines.at(-2)}` };
    const index = await writeBundle(leaking);
    expect(filesOf(folder)).toEqual(['index.json']);
    expect(clean().flatMap((file) => file.findings)).toEqual([]);
    expect(index.parts.find((part) => part.part === 'observation')).toMatchObject({ status: 'not-collected', reason: expect.stringMatching(/^observation\.json was not written: after redaction it still held the server key/) });
    const written = JSON.parse(readFileSync(path.join(folder, 'index.json'), 'utf8')) as BundleIndex;
    // Asserted without printing: a failure message must not show the key either.
    expect(/withheld/.test(written.step.observed ?? '')).toBe(true);
  }, 30_000);
});
