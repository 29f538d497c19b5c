// `npm test` as a person runs it (a separate process): the target's first line, and a user mistake
// as one line with exit 2 within seconds. Docker is made unreachable (DOCKER_HOST at a socket
// nobody serves), so these hold on any machine. The full run on the twin is conformance.twin.test.ts.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runEntryPoint } from '../helpers/testing/run-entry-point';

let tmp: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'conformance-cli-'));
  env = { ...process.env, CACHE_DIR: path.join(tmp, 'cache'), REPORT_DIR: path.join(tmp, 'reports'), DOCKER_HOST: `unix://${tmp}/no-docker.sock`, KUBECONFIG: '' };
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function npmTest(extra: NodeJS.ProcessEnv) {
  return runEntryPoint('scripts/conformance.ts', [], { env: { ...env, ...extra } });
}

describe('npm test: choosing the target', () => {
  test('TARGET=kind without Docker: exit 2 within seconds, one line naming the alternatives', async () => {
    const run = await npmTest({ TARGET: 'kind' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: TARGET=kind needs a Docker daemon that answers: .+ Instead, use TARGET=existing with a kubeconfig of a test cluster, or TARGET=twin/m);
    expect(run.stderr.trim().split('\n').filter((line) => line.startsWith('error:'))).toHaveLength(1);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(run.ms).toBeLessThan(15_000);
  }, 30_000);

  test('TARGET=existing without a kubeconfig: exit 2, one line', async () => {
    const run = await npmTest({ TARGET: 'existing' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: .*KUBECONFIG/m);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }, 30_000);

  test('a bad setting: exit 2, one line naming it', async () => {
    const run = await npmTest({ TARGET: 'prod' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: .*TARGET/m);
  }, 30_000);
});
