import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { readSnapshot, restoreWaves, snapshotFile, snapshotKey, writeRounds, writeSnapshot, type InstallSnapshot, type SnapshotEntry } from './snapshot';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'igc-snapshot-unit-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const entry = (apiVersion: string, kind: string, name: string, operation = 'Apply', time = '2026-12-07T13:00:00Z', manager = 'istio-operator'): SnapshotEntry => ({
  manager,
  operation,
  time,
  object: { apiVersion, kind, metadata: { name, namespace: kind === 'Namespace' || kind === 'CustomResourceDefinition' ? undefined : 'istio-system' } },
});

describe('restoreWaves', () => {
  test('namespaces, CRDs, built-in objects, workloads and custom resources each go in their own wave', () => {
    const objects = [
      entry('networking.istio.io/v1', 'EnvoyFilter', 'stats'),
      entry('apps/v1', 'Deployment', 'istiod'),
      entry('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', 'istio-sidecar-injector'),
      entry('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'gateways.networking.istio.io'),
      entry('v1', 'Namespace', 'istio-system', 'Update', '', 'istioctl'),
      entry('policy/v1', 'PodDisruptionBudget', 'istiod'),
      entry('v1', 'ConfigMap', 'istio'),
    ];
    const names = restoreWaves(objects).map((wave) => wave.map((one) => one.object.kind));
    expect(names).toEqual([['Namespace'], ['CustomResourceDefinition'], ['MutatingWebhookConfiguration', 'PodDisruptionBudget', 'ConfigMap'], ['Deployment'], ['EnvoyFilter']]);
  });
});

describe('writeRounds', () => {
  test("an object's server-side apply goes first and its later patches after it; other objects go at once", () => {
    const patch = entry('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', 'istio-sidecar-injector', 'Update', '2026-12-07T13:00:05Z', 'istioctl');
    const create = entry('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', 'istio-sidecar-injector', 'Apply', '2026-12-07T13:00:09Z');
    const other = entry('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', 'istio-revision-tag-default');
    expect(writeRounds([patch, other, create])).toEqual([[create, other], [patch]]);
  });
});

describe('snapshot files', () => {
  const overlay = path.join(work, 'overlay.yaml');
  const istioctl = path.join(work, 'istioctl');
  fs.writeFileSync(overlay, 'spec: {}\n');
  fs.writeFileSync(istioctl, 'binary');
  const input = { release: '1.31-dev', hub: 'docker.io/istio', tag: '1.31-dev', kubernetesVersion: 'v1.36.3', args: ['install', '-y'], overlayFile: overlay, istioctl };

  test('the key changes with the overlay, the release, the Kubernetes version and the istioctl binary', () => {
    const base = snapshotKey(input);
    expect(snapshotKey(input)).toBe(base);
    expect(snapshotKey({ ...input, kubernetesVersion: 'v1.35.0' })).not.toBe(base);
    expect(snapshotKey({ ...input, release: '1.30.5' })).not.toBe(base);
    fs.writeFileSync(overlay, 'spec: {values: {}}\n');
    expect(snapshotKey(input)).not.toBe(base);
    fs.writeFileSync(overlay, 'spec: {}\n');
    fs.writeFileSync(istioctl, 'another binary');
    expect(snapshotKey(input)).not.toBe(base);
  });

  test('a written snapshot reads back (0600); a cut-off file, another key or an empty one reads as none', () => {
    const snapshot: InstallSnapshot = { format: 2, key: 'abc', release: '1.31-dev', capturedAt: '2026-12-07T13:00:00Z', objects: [entry('v1', 'ConfigMap', 'istio')] };
    const file = writeSnapshot(work, snapshot);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(readSnapshot(work, 'abc')).toEqual(snapshot);
    expect(readSnapshot(work, 'other')).toBeUndefined();
    fs.writeFileSync(file, JSON.stringify(snapshot).slice(0, 40));
    expect(readSnapshot(work, 'abc')).toBeUndefined();
    writeSnapshot(work, { ...snapshot, objects: [] });
    expect(readSnapshot(work, 'abc')).toBeUndefined();
    expect(snapshotFile(work, 'abc')).toBe(file);
  });

  test('a snapshot that holds a private key is refused', () => {
    const keyArmour = `-----BEGIN ${'PRIVATE'} KEY-----`;
    const object = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x', namespace: 'istio-system' }, stringData: { 'tls.key': keyArmour } };
    expect(() => writeSnapshot(work, { format: 2, key: 'k', release: 'r', capturedAt: '', objects: [{ manager: 'istio-operator', operation: 'Apply', time: '', object }] })).toThrow(/private key/);
    expect(fs.existsSync(snapshotFile(work, 'k'))).toBe(false);
  });
});
