// A restored Istio install is the same cluster as a fresh one: the twin starts twice from an empty
// snapshot folder; the first start runs the real istioctl install and records what it wrote, the
// second restores that record. Every object of both clusters is compared (only the fields that
// differ between any two starts are taken out, twin/istio/testing/cluster-objects.ts). That the
// restored gateway serves the catalogue is what every npm test on the twin shows. Needs root and
// the built binaries.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { loadSettings } from '../../helpers/config';
import { connect } from '../../helpers/kube';
import { startTwinWithIstio, type TwinWithIstio } from '../../targets/twin/index';
import { requireRoot } from '../node/prerequisites';
import { readSnapshot } from './snapshot';
import { comparableObjects, objectDifferences } from './testing/cluster-objects';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'igc-snapshot-'));
const snapshotDir = path.join(work, 'snapshots');
const settings = { ...loadSettings(), TWIN_ISTIO_INSTALL: 'snapshot' as const };
const lines: string[] = [];
let running: TwinWithIstio | undefined;

async function startAndDump(): Promise<{ started: TwinWithIstio; objects: Map<string, unknown> }> {
  running = await startTwinWithIstio(settings, { stateDir: path.join(work, 'state'), snapshotDir, log: (line) => lines.push(line) });
  const objects = await comparableObjects(await connect({ kubeconfigPath: running.twin.kubeconfig }));
  return { started: running, objects };
}

afterAll(async () => {
  await running?.twin.stop();
  fs.rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('the Istio install snapshot', () => {
  test('a twin restored from the snapshot holds the same objects as one istioctl installed', async () => {
    requireRoot();
    const fresh = await startAndDump();
    expect(fresh.started.istio?.via).toBe('istioctl');
    await fresh.started.twin.stop();
    running = undefined;
    const files = fs.readdirSync(snapshotDir);
    expect(files).toHaveLength(1);
    const key = files[0]!.replace(/^istio-install-|\.json$/g, '');
    expect(readSnapshot(snapshotDir, key)?.objects.length).toBeGreaterThan(30);

    const restored = await startAndDump();
    expect(restored.started.istio?.via).toBe('snapshot');
    expect(objectDifferences(fresh.objects, restored.objects)).toEqual([]);
    // The same Istio objects a fresh install has, by kind: a restore that skipped a wave would differ.
    const istioSystem = [...restored.objects.keys()].filter((id) => id.includes(' istio-system/'));
    expect(istioSystem.some((id) => id.startsWith('apps/v1 Deployment istio-system/istio-ingressgateway'))).toBe(true);
    expect(istioSystem.some((id) => id.startsWith('apps/v1 Deployment istio-system/istiod'))).toBe(true);
  }, 240_000);
});
