// The pod runner in the real twin, driven by the real kubectl: the httpbin sample Running and
// Ready and answering 418 through its NodePort from the host, the doc's secrets in a pod after the
// sync delay, exec exit codes, logs, two replicas behind the Service, and pod namespaces removed
// on deletion and at stop. Needs root and the built binaries (npm run twin:build); never builds.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { eventually } from '../../helpers/eventually';
import { binaryPath, type TwinBinary } from '../build';
import { cachedControlPlaneBinaries, cachedKubectl } from '../binaries';
import { startTwin, type Twin } from '../index';
import { findTool, requireRoot } from '../node/prerequisites';
import { run } from '../process/run';
import { podRunnerPlugin } from './index';
import { podNetworkNames } from './pod-network';

const testdata = path.join(__dirname, 'testdata');

/** Binaries from the build cache only: a test must not start a cold Go build. */
async function cachedBinaries(names: string[]): Promise<Record<string, string>> {
  const paths: Record<string, string> = {};
  for (const name of names) {
    const file = binaryPath(name as TwinBinary);
    if (!fs.existsSync(file)) throw new Error(`${name} is not built: run npm run twin:build`);
    paths[name] = file;
  }
  return paths;
}

/** kubectl's exit code and output, without throwing on a non-zero exit. */
function kubectlResult(kubectl: string, kubeconfig: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(kubectl, [`--kubeconfig=${kubeconfig}`, ...args], { encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { timeout: 5_000, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
  });
}

describe('the pod runner in the twin (root, built binaries)', () => {
  let twin: Twin;
  let stateDir: string;
  let kubeconfig: string;
  let kubectlBinary: string;
  const kubectl = (...args: string[]) => run(kubectlBinary, [`--kubeconfig=${kubeconfig}`, ...args], { timeoutMs: 120_000 });
  const waitFor = <T>(what: string, observe: () => Promise<T>, holds: (v: T) => boolean, budgetMs = 90_000) =>
    eventually(observe, holds, { budgetMs, converge: 1, initialDelayMs: 200, maxDelayMs: 2_000, expectation: what });
  const podNamespaces = async () => (await run('ip', ['netns', 'list'])).split('\n').filter((l) => l.startsWith(`${twin.node.netns}-pod-`));

  beforeAll(async () => {
    requireRoot('this test');
    const binaries = cachedControlPlaneBinaries();
    if (!binaries.kubeletStream) throw new Error('twin-kubelet-stream is not built: run npm run twin:build');
    await cachedBinaries(['go-httpbin', 'coredns']);
    kubectlBinary = cachedKubectl() ?? findTool('kubectl') ?? '';
    if (!kubectlBinary) throw new Error('no kubectl: run npm run twin:build (it builds kubectl)');
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'igc-pods-'));
    kubeconfig = path.join(stateDir, 'kubeconfig.out');
    twin = await startTwin({
      stateDir,
      binaries,
      kubeconfigOut: kubeconfig,
      podRunner: podRunnerPlugin({ stateDir, binaries: cachedBinaries, volumeSyncDelayMs: 2_000, restartBackoffMs: 1_000 }),
    });
    process.stdout.write(`twin with pod runner started in ${twin.totalMs} ms\n`);
  }, 300_000);

  afterAll(async () => {
    if (!twin) return;
    await twin.stop();
    // Nothing of the pods is left: no namespace, no process.
    const left = (await run('ip', ['netns', 'list'])).split('\n').filter((l) => l.startsWith(twin.node.netns));
    fs.rmSync(stateDir, { recursive: true, force: true });
    expect(left).toEqual([]);
  }, 120_000);

  test('the httpbin sample becomes Running and Ready and answers 418 on the NodePort from the host', async () => {
    const started = Date.now();
    await kubectl('apply', '-f', path.join(testdata, 'httpbin.yaml'));
    await kubectl('wait', '--for=condition=Available', 'deployment/httpbin', '--timeout=120s');
    process.stdout.write(`httpbin Available after ${Date.now() - started} ms\n`);
    const pod = JSON.parse(await kubectl('get', 'pods', '-l', 'app=httpbin', '-o', 'json')) as { items: { status: { phase: string; podIP: string; hostIP: string; conditions: { type: string; status: string }[] } }[] };
    const status = pod.items[0]!.status;
    expect(status.phase).toBe('Running');
    expect(status.hostIP).toBe(twin.node.address);
    expect(status.podIP).toMatch(/^10\.244\.0\.\d+$/);
    expect(status.conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'True' }));
    const nodePort = await kubectl('get', 'service', 'httpbin', '-o', 'jsonpath={.spec.ports[0].nodePort}');
    const answer = await waitFor('418 from the NodePort', () => httpGet(`http://${twin.node.address}:${nodePort}/status/418`), (r) => r.status === 418, 60_000);
    expect(answer.body).toContain("I'm a teapot!");
  }, 240_000);

  test("the doc's secrets appear in a pod's folders, an optional one after it is created", async () => {
    const certs = fs.mkdtempSync(path.join(stateDir, 'certs-'));
    const key = path.join(certs, 'httpbin.example.com.key');
    const cert = path.join(certs, 'httpbin.example.com.crt');
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=httpbin.example.com', '-days', '1', '-keyout', key, '-out', cert]);
    await kubectl('create', 'namespace', 'istio-system');
    await kubectl('create', '-n', 'istio-system', 'secret', 'tls', 'istio-ingressgateway-certs', `--key=${key}`, `--cert=${cert}`);
    await kubectl('apply', '-f', path.join(testdata, 'secret-reader.yaml'));
    await kubectl('wait', '-n', 'istio-system', '--for=condition=Ready', 'pod/secret-reader', '--timeout=90s');
    const exec = (...cmd: string[]) => kubectlResult(kubectlBinary, kubeconfig, ['exec', '-n', 'istio-system', 'secret-reader', '--', ...cmd]);

    const listing = await exec('ls', '-al', '/etc/istio/ingressgateway-certs');
    expect(listing.code).toBe(0);
    expect(listing.stdout).toMatch(/tls\.crt -> \.\.data\/tls\.crt/);
    expect(listing.stdout).toMatch(/tls\.key -> \.\.data\/tls\.key/);
    expect((await exec('cat', '/etc/istio/ingressgateway-certs/tls.crt')).stdout).toBe(fs.readFileSync(cert, 'utf8'));
    expect((await exec('ls', '/etc/istio/ingressgateway-ca-certs')).stdout).toBe('');

    // The doc's generic secret, created after the pod started: it shows after the sync delay.
    const created = Date.now();
    await kubectl('create', '-n', 'istio-system', 'secret', 'generic', 'istio-ingressgateway-ca-certs', `--from-file=${cert}`);
    await waitFor('the CA secret in the pod', () => exec('ls', '-al', '/etc/istio/ingressgateway-ca-certs'), (r) => r.stdout.includes('httpbin.example.com.crt -> ..data/httpbin.example.com.crt'), 30_000);
    process.stdout.write(`optional secret visible in the pod ${Date.now() - created} ms after its creation\n`);
    expect(fs.existsSync('/etc/istio')).toBe(false);
  }, 180_000);

  test('kubectl exec passes exit codes; kubectl logs shows the output', async () => {
    const exec = (...cmd: string[]) => kubectlResult(kubectlBinary, kubeconfig, ['exec', '-n', 'istio-system', 'secret-reader', '--', ...cmd]);
    expect((await exec('true')).code).toBe(0);
    expect((await exec('false')).code).toBe(1);
    expect([126, 127]).toContain((await exec('no-such-command')).code);
    expect((await exec('hostname')).stdout.trim()).toBe('secret-reader');
    expect(await kubectl('logs', '-n', 'istio-system', 'secret-reader')).toBe('hello from the twin\n');
  }, 120_000);

  test('CoreDNS runs as a pod (in-cluster API access by its projected token) and pods resolve Service names', async () => {
    await kubectl('-n', 'kube-system', 'wait', '--for=condition=Available', 'deployment/coredns', '--timeout=120s');
    const clusterIP = await kubectl('get', 'service', 'httpbin', '-o', 'jsonpath={.spec.clusterIP}');
    const resolved = await waitFor(
      'httpbin.default.svc resolved in a pod',
      () => kubectlResult(kubectlBinary, kubeconfig, ['exec', '-n', 'istio-system', 'secret-reader', '--', 'getent', 'hosts', 'httpbin.default.svc.cluster.local']),
      (r) => r.code === 0,
      60_000,
    );
    expect(resolved.stdout).toContain(clusterIP);
    // The short name through the pod's search path, as in a cluster.
    const short = await kubectlResult(kubectlBinary, kubeconfig, ['exec', '-n', 'istio-system', 'secret-reader', '--', 'getent', 'hosts', 'kube-dns.kube-system']);
    expect(short.stdout).toContain('10.96.0.10');
  }, 180_000);

  test('two replicas both serve through the Service', async () => {
    await kubectl('scale', 'deployment/httpbin', '--replicas=2');
    await kubectl('rollout', 'status', 'deployment/httpbin', '--timeout=120s');
    const nodePort = await kubectl('get', 'service', 'httpbin', '-o', 'jsonpath={.spec.ports[0].nodePort}');
    await waitFor('two endpoints', async () => (await kubectl('get', 'endpointslices', '-l', 'kubernetes.io/service-name=httpbin', '-o', 'jsonpath={.items[*].endpoints[*].addresses[0]}')).split(' ').filter(Boolean), (a) => a.length === 2, 60_000);
    const pods = (await kubectl('get', 'pods', '-l', 'app=httpbin', '-o', 'jsonpath={.items[*].metadata.name}')).split(' ');
    expect(pods).toHaveLength(2);
    // kube-proxy programs the new endpoint shortly after the EndpointSlice: send batches through the
    // NodePort until go-httpbin's request log shows that both pods answered (a bounded loop).
    const answered = await waitFor(
      'both replicas answering through the Service',
      async () => {
        for (let i = 0; i < 10; i += 1) expect((await httpGet(`http://${twin.node.address}:${nodePort}/status/418`)).status).toBe(418);
        return Promise.all(pods.map(async (pod) => /uri=\/status\/418/.test(await kubectl('logs', pod))));
      },
      (seen) => seen.every(Boolean),
      60_000,
    );
    expect(answered).toEqual([true, true]);
  }, 240_000);

  test("deleting a pod removes its network namespace; the Deployment's new pod gets one", async () => {
    const [name, uid] = (await kubectl('get', 'pods', '-l', 'app=httpbin', '-o', 'jsonpath={.items[0].metadata.name} {.items[0].metadata.uid}')).split(' ') as [string, string];
    const netns = podNetworkNames(twin.node.netns, uid).podNetns;
    expect(await podNamespaces()).toContain(netns);
    await kubectl('delete', 'pod', name, '--wait=true', '--timeout=60s');
    await waitFor('its namespace gone', podNamespaces, (list) => !list.includes(netns), 30_000);
    await kubectl('rollout', 'status', 'deployment/httpbin', '--timeout=120s');
    const uids = (await kubectl('get', 'pods', '-l', 'app=httpbin', '-o', 'jsonpath={.items[*].metadata.uid}')).split(' ');
    expect(uids).toHaveLength(2);
    const list = await podNamespaces();
    for (const other of uids) expect(list).toContain(podNetworkNames(twin.node.netns, other).podNetns);
  }, 240_000);
});
