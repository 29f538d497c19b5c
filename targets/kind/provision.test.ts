// The kind target's sequence, run for real against stand-in kind, istioctl and kubectl programs
// (shell scripts that record their argv): create versus reuse by name, the order of the commands,
// teardown of what the run created only, cleanup after a failed step, and the dry run.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../helpers/config';
import { fixtures } from './kind-plan';
import type { Platform } from './platform';
import type { Check, MachineChecks } from './prerequisites';
import { dryRunLines, startKindTarget, stopKindCluster, type KindSettings } from './provision';
import { machineProbe, type ToolProbe } from './tools';

const platform: Platform = { os: 'linux', arch: 'amd64', key: 'linux-amd64' };
let tmp: string;
let bin: string;
let logFile: string;
let clustersFile: string;
let failFile: string;

const script = (body: string) => `#!/bin/sh\nprintf '%s\\n' "$(basename "$0") $*" >> '${logFile}'\n${body}\n`;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cluster-provision-'));
  bin = path.join(tmp, 'bin');
  logFile = path.join(tmp, 'commands.log');
  clustersFile = path.join(tmp, 'clusters');
  failFile = path.join(tmp, 'fail-istioctl');
  await mkdir(bin);
  const programs: Record<string, string> = {
    kind: `case "$1" in
  version) echo "kind v0.33.0 go1.26.8 linux/amd64" ;;
  get) if [ -s '${clustersFile}' ]; then cat '${clustersFile}'; else echo "No kind clusters found." >&2; fi ;;
  create) echo "Creating cluster \\"$4\\" ..."; echo "$4" >> '${clustersFile}' ;;
  delete) : > '${clustersFile}' ;;
esac`,
    istioctl: `case "$1" in
  version) echo "client version: 1.30.4" ;;
  install) if [ -e '${failFile}' ]; then echo "Error: failed to install manifests: webhook not ready" >&2; exit 1; fi; echo "✔ Istio core installed" ;;
esac`,
    kubectl: `case "$*" in
  *jsonpath*) printf 30443 ;;
  *) echo "ok" ;;
esac`,
  };
  for (const [name, body] of Object.entries(programs)) {
    await writeFile(path.join(bin, name), script(body));
    await chmod(path.join(bin, name), 0o755);
  }
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});
beforeEach(async () => {
  await rm(logFile, { force: true });
  await rm(clustersFile, { force: true });
  await rm(failFile, { force: true });
});

const probe: ToolProbe = { which: async (name) => path.join(bin, name), version: machineProbe.version };
const up: Check = { ok: true, detail: 'up' };
const checks: MachineChecks = { docker: async () => ({ ok: true, detail: 'Docker 28.2.2' }), kubectl: async () => ({ ok: true, detail: 'kubectl v1.36.4' }), network: async () => up };

function settings(extra: Partial<KindSettings> = {}): KindSettings {
  return { CACHE_DIR: path.join(tmp, 'cache'), KIND_CLUSTER_NAME: 'conformance-test', KIND_HTTPS_HOST_PORT: 8443, KEEP_CLUSTER: 'false', ISTIO_VERSION: '1.30.4', ...extra };
}

async function commands(): Promise<string[]> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).filter((line) => !/ version( |$)/.test(line));
}

describe('startKindTarget', () => {
  test('creates the cluster, installs Istio with the overlay, deploys httpbin, waits, checks the NodePort; teardown deletes it', async () => {
    const lines: string[] = [];
    const cluster = await startKindTarget(settings(), { log: (line) => lines.push(line), checks, probe, platform });
    const kubeconfig = path.join(tmp, 'cache', 'kind', 'conformance-test', 'kubeconfig');
    expect(cluster).toMatchObject({ name: 'conformance-test', kubeconfig, ingressAddress: '127.0.0.1:8443', istioVersion: '1.30.4', created: true, kept: false });
    expect(cluster.nodeImage).toMatch(/^kindest\/node:v1\.36\.4@sha256:/);
    expect(await commands()).toEqual([
      'kind get clusters',
      `kind create cluster --name conformance-test --config ${fixtures.kindConfig} --image ${cluster.nodeImage} --kubeconfig ${kubeconfig} --wait 180s`,
      `istioctl install --kubeconfig ${kubeconfig} -f ${fixtures.gatewayOverlay} --skip-confirmation --readiness-timeout 5m0s`,
      `kubectl --kubeconfig ${kubeconfig} apply --namespace default -f ${fixtures.httpbin}`,
      `kubectl --kubeconfig ${kubeconfig} rollout status --namespace istio-system deployment/istiod --timeout=300s`,
      `kubectl --kubeconfig ${kubeconfig} rollout status --namespace istio-system deployment/istio-ingressgateway --timeout=300s`,
      `kubectl --kubeconfig ${kubeconfig} rollout status --namespace default deployment/httpbin --timeout=300s`,
      `kubectl --kubeconfig ${kubeconfig} get service --namespace istio-system istio-ingressgateway -o jsonpath={.spec.ports[?(@.name=="https")].nodePort}`,
    ]);
    // Progress: each long step says what it does and how long it took; kind's own output is passed on.
    expect(lines).toContain('creating kind cluster conformance-test ...');
    expect(lines.some((line) => /^creating kind cluster conformance-test: done in \d+(\.\d)? (ms|s)$/.test(line))).toBe(true);
    expect(lines).toContain('  | Creating cluster "conformance-test" ...');
    expect(lines.some((line) => /^installing Istio with istioctl \(the gateway overlay\): done in /.test(line))).toBe(true);
    await cluster.teardown();
    expect((await commands()).at(-1)).toBe(`kind delete cluster --name conformance-test --kubeconfig ${kubeconfig}`);
  });

  test('reuses a cluster of that name (no create), and leaves it standing afterwards', async () => {
    await writeFile(clustersFile, 'other\nconformance-test\n');
    const lines: string[] = [];
    const cluster = await startKindTarget(settings(), { log: (line) => lines.push(line), checks, probe, platform });
    expect(cluster.created).toBe(false);
    const run = await commands();
    expect(run.slice(0, 3)).toEqual([
      'kind get clusters',
      `kind export kubeconfig --name conformance-test --kubeconfig ${cluster.kubeconfig}`,
      `istioctl install --kubeconfig ${cluster.kubeconfig} -f ${fixtures.gatewayOverlay} --skip-confirmation --readiness-timeout 5m0s`,
    ]);
    expect(run.some((line) => line.startsWith('kind create'))).toBe(false);
    await cluster.teardown();
    expect((await commands()).some((line) => line.startsWith('kind delete'))).toBe(false);
    expect(lines.at(-1)).toBe('kind cluster conformance-test was there before this run: left as it was');
  });

  test('KEEP_CLUSTER keeps a created cluster at teardown', async () => {
    const lines: string[] = [];
    const cluster = await startKindTarget(settings({ KEEP_CLUSTER: 'true' }), { log: (line) => lines.push(line), checks, probe, platform });
    await cluster.teardown();
    expect((await commands()).some((line) => line.startsWith('kind delete'))).toBe(false);
    expect(lines.at(-1)).toBe('kind cluster conformance-test kept (KEEP_CLUSTER=true); delete it with npm run cluster:down');
  });

  test('a failed step stops with one line naming it, and the cluster it created is deleted', async () => {
    await writeFile(failFile, '');
    const error = await startKindTarget(settings(), { log: () => {}, checks, probe, platform }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(
      /^installing Istio with istioctl \(the gateway overlay\) failed \(exit 1: Error: failed to install manifests: webhook not ready\); the command was: .*istioctl install /,
    );
    const run = await commands();
    expect(run.at(-1)).toMatch(/^kind delete cluster --name conformance-test/);
    expect(run.some((line) => line.startsWith('kubectl'))).toBe(false);
  });

  test('without Docker it stops before running any tool', async () => {
    const noDocker: MachineChecks = { ...checks, docker: async () => ({ ok: false, reason: 'Cannot connect to the Docker daemon' }) };
    await expect(startKindTarget(settings(), { log: () => {}, checks: noDocker, probe, platform })).rejects.toThrow(/^TARGET=kind needs a Docker daemon that answers/);
    expect(await commands()).toEqual([]);
  });

  test("an istioctl without a pinned checksum whose published .sha256 cannot be fetched stops before anything runs", async () => {
    const noIstioctl: ToolProbe = { which: async (name) => (name === 'istioctl' ? undefined : path.join(bin, name)), version: machineProbe.version };
    await expect(startKindTarget(settings({ TOOLS_BASE_URL: 'http://127.0.0.1:9' }), { log: () => {}, checks, probe: noIstioctl, platform })).rejects.toThrow(
      /^could not fetch the published checksum of istioctl 1\.30\.4: ECONNREFUSED \(http:\/\/127\.0\.0\.1:9\/istio\/istio\/releases\/download\/1\.30\.4\/istioctl-1\.30\.4-linux-amd64\.tar\.gz\.sha256\); nothing was downloaded/,
    );
    expect(await commands()).toEqual([]);
  });

  test('another KIND_HTTPS_HOST_PORT gets a copy of the kind config with that port', async () => {
    const cluster = await startKindTarget(settings({ KIND_HTTPS_HOST_PORT: 9443 }), { log: () => {}, checks, probe, platform });
    expect(cluster.ingressAddress).toBe('127.0.0.1:9443');
    const config = path.join(tmp, 'cache', 'kind', 'conformance-test', 'cluster.yaml');
    expect((await commands())[1]).toContain(`--config ${config}`);
    expect(await readFile(config, 'utf8')).toMatch(/hostPort: 9443/);
  });
});

describe('dry run and cluster:down', () => {
  test('the dry run lists the commands in order, with versions, and runs none of them', async () => {
    const lines = await dryRunLines(settings(), { probe, platform });
    const text = lines.join('\n');
    expect(lines[0]).toBe('cluster:up (dry run) for kind cluster conformance-test on linux-amd64: kind v0.33.0, Istio 1.30.4');
    expect(lines[2]).toBe("Istio images: docker.io/istio/{pilot,proxyv2}:1.30.4 (hub pinned in fixtures/istio/gateway-overlay.yaml, tag istioctl's version)");
    expect(text).toContain(`kind v0.33.0: ${path.join(bin, 'kind')} (on PATH)`);
    const order = ['kind get clusters', 'kind export kubeconfig', 'kind create cluster', 'istioctl install', ' apply ', 'deployment/istiod', 'deployment/istio-ingressgateway', 'deployment/httpbin', 'jsonpath'];
    const positions = order.map((needle) => text.indexOf(needle));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(await commands()).toEqual([]);
  });

  test('cluster:down deletes by name with the pinned kind', async () => {
    await stopKindCluster(settings(), { log: () => {}, checks, probe, platform });
    expect(await commands()).toEqual([`kind delete cluster --name conformance-test --kubeconfig ${path.join(tmp, 'cache', 'kind', 'conformance-test', 'kubeconfig')}`]);
  });
});
