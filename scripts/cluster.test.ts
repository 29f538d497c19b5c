// `npm run cluster:up` / `cluster:down`, run as a person runs them (a separate process). Docker is
// made unreachable (DOCKER_HOST at a socket nobody serves), so these hold on any machine.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runEntryPoint } from '../helpers/testing/run-entry-point';

const repo = path.resolve(__dirname, '..');
const PROCESS_TIMEOUT_MS = 30_000;
let tmp: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cluster-cli-'));
  env = { ...process.env, CACHE_DIR: path.join(tmp, 'cache'), DOCKER_HOST: `unix://${tmp}/no-docker.sock`, KIND_CLUSTER_NAME: 'cli-test', ISTIO_VERSION: '', TOOLS_BASE_URL: '', ISTIOCTL_SHA256: '0'.repeat(64) };
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function runScript(script: string, args: string[]) {
  return runEntryPoint(script, args, { env });
}

describe('npm run cluster:up', () => {
  test('--dry-run prints the versions and the commands in order, and exits 0 without Docker', async () => {
    const run = await runScript('scripts/cluster-up.ts', ['--dry-run']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^cluster:up \(dry run\) for kind cluster cli-test on (linux|darwin)-(amd64|arm64): kind v0\.33\.0, Istio 1\.31\.1$/);
    expect(lines[1]).toMatch(/^node image: kindest\/node:v1\.36\.4@sha256:[a-f0-9]{64} \(Kubernetes 1\.36, the newest that Istio 1\.31 supports\)$/);
    expect(lines[2]).toBe("Istio images: docker.io/istio/{pilot,proxyv2}:1.31.1 (hub pinned in fixtures/istio/gateway-overlay.yaml, tag istioctl's version)");
    const steps = lines.filter((line) => /^ ?\d+\. /.test(line));
    expect(steps.map((line) => /kind (get clusters|export kubeconfig)|istioctl install|kubectl .*? (apply|rollout status|get service)/.exec(line)?.[0].replace(/--kubeconfig \S+ /, ''))).toEqual([
      'kind get clusters',
      'kind export kubeconfig',
      'istioctl install',
      expect.stringMatching(/apply$/),
      expect.stringMatching(/rollout status$/),
      expect.stringMatching(/rollout status$/),
      expect.stringMatching(/rollout status$/),
      expect.stringMatching(/get service$/),
    ]);
    expect(run.stdout).toMatch(/otherwise \(create\): +\S+kind create cluster --name cli-test --config \S+fixtures\/kind\/cluster\.yaml --image kindest\/node:v1\.36\.4@sha256:/);
    expect(run.stdout).toContain(`istioctl install --kubeconfig ${path.join(tmp, 'cache', 'kind', 'cli-test', 'kubeconfig')} -f ${path.join(repo, 'fixtures', 'istio', 'gateway-overlay.yaml')}`);
    expect(run.stdout).toContain('INGRESS_ADDRESS=127.0.0.1:8443');
  }, PROCESS_TIMEOUT_MS);

  test('without --dry-run and without Docker: exit 2 within seconds, one line with the alternatives', async () => {
    const run = await runScript('scripts/cluster-up.ts', []);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^error: TARGET=kind needs a Docker daemon that answers: .+ Instead, use TARGET=existing with a kubeconfig of a test cluster, or TARGET=twin \(needs Linux, root and Go on this machine\)\n$/);
    expect(run.ms).toBeLessThan(15_000);
  }, PROCESS_TIMEOUT_MS);
});

describe('npm run cluster:down', () => {
  test('--dry-run prints the delete command for the cluster by name', async () => {
    const run = await runScript('scripts/cluster-down.ts', ['--dry-run']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/kind delete cluster --name cli-test --kubeconfig \S+\/cache\/kind\/cli-test\/kubeconfig\n$/);
  }, PROCESS_TIMEOUT_MS);
});
