// Real Istio on the twin: the real istioctl installs it (installIstio), the pod runner runs the real
// pilot-discovery and pilot-agent (with the Envoy stand-in as Envoy), and the real kubectl drives it.
// One twin for the file, always stopped. Needs root and the built binaries (npm run twin:build);
// never builds. The ready time printed is the warm start with Istio (aim: under 40 s).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { eventually } from '../../helpers/eventually';
import { binaryPath, type TwinBinary } from '../build';
import { cachedControlPlaneBinaries, cachedKubectl } from '../binaries';
import { startTwin, type Twin } from '../index';
import { findTool, requireRoot } from '../node/prerequisites';
import { run } from '../process/run';
import { podRunnerPlugin } from '../pods';
import { writeEnvoyLauncher } from './envoy-stand-in';
import { installIstio } from './install';

const testdata = path.join(__dirname, 'testdata');

function cachedBinary(name: TwinBinary): string {
  const file = binaryPath(name);
  if (!fs.existsSync(file)) throw new Error(`${name} is not built: run npm run twin:build`);
  return file;
}

/** A command's exit code and output, without throwing on a non-zero exit. */
function result(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('Istio installed on the twin by istioctl (root, built binaries)', () => {
  let twin: Twin | undefined;
  let stateDir: string;
  let kubeconfig: string;
  let kubectlBinary: string;
  let istioctl: string;
  const kubectl = (...args: string[]) => run(kubectlBinary, [`--kubeconfig=${kubeconfig}`, ...args], { timeoutMs: 120_000 });

  beforeAll(async () => {
    requireRoot('this test');
    const binaries = cachedControlPlaneBinaries();
    const built: Record<string, string> = {};
    for (const name of ['coredns', 'pilot-discovery', 'pilot-agent'] as const) built[name] = cachedBinary(name);
    istioctl = cachedBinary('istioctl');
    kubectlBinary = cachedKubectl() ?? findTool('kubectl') ?? '';
    if (!kubectlBinary) throw new Error('no kubectl: run npm run twin:build (it builds kubectl)');
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'igc-istio-'));
    kubeconfig = path.join(stateDir, 'kubeconfig.out');
    const started = Date.now();
    twin = await startTwin({
      stateDir,
      binaries,
      kubeconfigOut: kubeconfig,
      podRunner: podRunnerPlugin({
        stateDir,
        binaries: async (names) => Object.fromEntries(names.map((n) => [n, built[n] ?? cachedBinary(n as TwinBinary)])),
        standIns: { envoy: writeEnvoyLauncher(path.join(stateDir, 'istio')) },
      }),
    });
    const installed = await installIstio(twin, { istioctl });
    process.stdout.write(`twin ${twin.totalMs} ms, Istio ${installed.release} installed in ${installed.ms} ms, ready with Istio after ${Date.now() - started} ms\n`);
  }, 420_000);

  afterAll(async () => {
    if (!twin) return;
    const netns = twin.node.netns;
    await twin.stop();
    const left = (await run('ip', ['netns', 'list'])).split('\n').filter((l) => l.startsWith(netns));
    fs.rmSync(stateDir, { recursive: true, force: true });
    expect(left).toEqual([]);
  }, 120_000);

  test("Istio's CRDs are served at v1alpha3, v1beta1 and v1", async () => {
    for (const crd of ['gateways.networking.istio.io', 'virtualservices.networking.istio.io']) {
      const { versions } = (JSON.parse(await kubectl('get', 'crd', crd, '-o', 'json')) as { spec: { versions: { name: string; served: boolean }[] } }).spec;
      expect(versions.filter((v) => v.served).map((v) => v.name).sort()).toEqual(['v1', 'v1alpha3', 'v1beta1']);
    }
  });

  test("the doc's Gateway is accepted and reads back at each version", async () => {
    await kubectl('apply', '-f', path.join(testdata, 'gateway-simple.yaml'));
    for (const version of ['v1alpha3', 'v1beta1', 'v1']) {
      const gateway = JSON.parse(await kubectl('get', `gateways.${version}.networking.istio.io`, 'httpbin-gateway', '-o', 'json')) as {
        apiVersion: string;
        spec: { servers: { hosts: string[]; tls: { mode: string; serverCertificate: string; privateKey: string } }[] };
      };
      expect(gateway.apiVersion).toBe(`networking.istio.io/${version}`);
      expect(gateway.spec.servers[0]).toMatchObject({
        hosts: ['httpbin.example.com'],
        tls: { mode: 'SIMPLE', serverCertificate: '/etc/istio/ingressgateway-certs/tls.crt', privateKey: '/etc/istio/ingressgateway-certs/tls.key' },
      });
    }
  });

  test("an HTTPS server without tls is rejected by istiod's webhook, in istiod's words", async () => {
    const applied = await result(kubectlBinary, [`--kubeconfig=${kubeconfig}`, 'apply', '-f', path.join(testdata, 'gateway-https-without-tls.yaml')]);
    expect(applied.code).not.toBe(0);
    expect(applied.stderr).toContain('admission webhook "validation.istio.io" denied the request');
    expect(applied.stderr).toContain('server must have TLS settings for HTTPS/TLS protocols');
  });

  test('istiod and the gateway pod are Ready', async () => {
    for (const app of ['istiod', 'istio-ingressgateway']) {
      const pods = JSON.parse(await kubectl('-n', 'istio-system', 'get', 'pods', '-l', `app=${app}`, '-o', 'json')) as { items: { status: { conditions?: { type: string; status: string }[] } }[] };
      expect(pods.items).toHaveLength(1);
      expect(pods.items[0]!.status.conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'True' }));
    }
  });

  test("the gateway Service exposes https 443 -> 8443 on NodePort 30443 with the node as LoadBalancer address", async () => {
    const service = await eventually(
      async () => JSON.parse(await kubectl('-n', 'istio-system', 'get', 'service', 'istio-ingressgateway', '-o', 'json')) as {
        spec: { type: string; ports: { name: string; port: number; targetPort: number; nodePort: number }[] };
        status: { loadBalancer: { ingress?: { ip: string }[] } };
      },
      (s) => (s.status.loadBalancer.ingress?.length ?? 0) > 0,
      { budgetMs: 30_000, converge: 1, initialDelayMs: 200, maxDelayMs: 2_000, expectation: 'a LoadBalancer ingress address' },
    );
    expect(service.spec.type).toBe('LoadBalancer');
    expect(service.spec.ports).toContainEqual(expect.objectContaining({ name: 'https', port: 443, targetPort: 8443, nodePort: 30443 }));
    expect(service.status.loadBalancer.ingress).toEqual([expect.objectContaining({ ip: twin!.node.address })]);
  });

  test('istioctl version shows the pinned version for client, control plane and data plane', async () => {
    const version = await run(istioctl, ['version', '--kubeconfig', kubeconfig], { timeoutMs: 60_000 });
    expect(version).toContain('client version: 1.31-dev');
    expect(version).toContain('control plane version: 1.31-dev');
    expect(version).toContain('data plane version: 1.31-dev (1 proxies)');
  });

  test("the stand-in holds a listener for httpbin.example.com naming the doc's file paths", async () => {
    const pod = await kubectl('-n', 'istio-system', 'get', 'pods', '-l', 'app=istio-ingressgateway', '-o', 'jsonpath={.items[0].metadata.name}');
    // istiod pushes the Gateway applied above to the proxy shortly after it is accepted.
    const dump = await eventually(
      () => kubectl('-n', 'istio-system', 'exec', pod, '-c', 'istio-proxy', '--', 'pilot-agent', 'request', 'GET', 'config_dump'),
      (d) => d.includes('"httpbin.example.com"'),
      { budgetMs: 60_000, converge: 1, initialDelayMs: 500, maxDelayMs: 3_000, expectation: 'a config_dump naming httpbin.example.com', render: (d) => d.slice(0, 500) },
    );
    expect(dump).toContain('file-cert:/etc/istio/ingressgateway-certs/tls.crt~/etc/istio/ingressgateway-certs/tls.key');
  });
});
