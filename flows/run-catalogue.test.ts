// A catalogue run started ahead of its target: jest waits for the go-ahead, and a target that
// fails stops it without results (the real jest, the real conformance project).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { startCatalogue } from './run-catalogue';
import { secureGateways } from '../suites/secure-gateways/entry';

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'igc-run-catalogue-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

describe('startCatalogue', () => {
  test('waits for the go-ahead; abort() stops jest and leaves no results', async () => {
    const work = tempDir();
    const started = startCatalogue({ catalogue: secureGateways, kubeconfig: path.join(work, 'no-kubeconfig'), reportDir: work, quiet: true, waitForGoAhead: true });
    // jest has started and is waiting: no step has run, so no results are written meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(fs.existsSync(path.join(work, 'secure-gateways', 'steps.json'))).toBe(false);
    await started.abort();
    const run = await started.finished;
    expect(run.results).toBeUndefined();
    expect(fs.existsSync(path.join(work, '.target-ready'))).toBe(false);
  }, 120_000);

  test('after the go-ahead the suites prepare: with no cluster every step is skipped with the reason', async () => {
    const work = tempDir();
    const started = startCatalogue({ catalogue: secureGateways, kubeconfig: path.join(work, 'no-kubeconfig'), reportDir: work, quiet: true, waitForGoAhead: true, env: { DOCKER_HOST: 'unix:///tmp/igc-no-docker.sock' } });
    started.goAhead();
    const run = await started.finished;
    expect(run.results?.steps.length).toBeGreaterThan(20);
    expect(run.results?.steps.every((step) => step.status === 'skipped' && /the target could not be prepared: kubeconfig .*no-kubeconfig does not exist/.test(step.reason ?? ''))).toBe(true);
  }, 120_000);
});
