// The pod runtime against the real kernel (network namespaces, veth, bwrap, the supervisor) with
// a fake API: pods on their own IPs, both on :8080, volumes at the spec's paths, exec through the
// hook, readiness from the pod's own probe, restarts, logs, and a clean teardown. Needs root.
import { NO_FAULTS, type ActiveFaults } from '../faults/active';
import { ExecViewRewrites } from '../faults/exec-view';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { CoreV1Api, V1Container, V1Pod, V1PodStatus, V1Secret } from '@kubernetes/client-node';
import { eventually } from '../../helpers/eventually';
import { binaryPath, type TwinBinary } from '../build';
import { findTool } from '../node/prerequisites';
import { StateFile } from '../process/state-file';
import { Supervisor } from '../process/supervisor';
import { containerEntryFile, hookPaths, writeHook } from './hook';
import { IpPool } from './ip-pool';
import { PodRuntime, type PodDeps } from './pod';
import { podNetworkNames } from './pod-network';

const httpbinBuilt = fs.existsSync(binaryPath('go-httpbin'));
const canRun = process.getuid?.() === 0 && ['ip', 'bwrap', 'setpriv', 'curl'].every((t) => findTool(t));
const suite = canRun ? describe : describe.skip;

const b64 = (s: string) => Buffer.from(s).toString('base64');
const secrets = new Map<string, V1Secret>([['default/certs', { data: { 'tls.crt': b64('CERT'), 'tls.key': b64('KEY'), password: b64('s3cr3t-v4lue') } }]]);
const statuses = new Map<string, V1PodStatus>();
const deleted: string[] = [];
const fakeCore = {
  async patchNamespacedPodStatus(request: { name: string; namespace: string; body: { status: V1PodStatus; metadata: { uid: string } } }) {
    statuses.set(`${request.namespace}/${request.name}`, JSON.parse(JSON.stringify(request.body.status)) as V1PodStatus);
    return { metadata: { uid: request.body.metadata.uid }, status: request.body.status };
  },
  async createNamespacedServiceAccountToken() {
    return { status: { token: 'header.payload.signature', expirationTimestamp: new Date(Date.now() + 3600_000) } };
  },
  async deleteNamespacedPod(request: { name: string; namespace: string }) {
    deleted.push(`${request.namespace}/${request.name}`);
    return {};
  },
} as unknown as CoreV1Api;

// A tiny server (the host's node binary is in the view): answers with its pod name, /ready fails
// once /tmp/unready exists, says goodbye on SIGTERM.
const server = `
const http = require('http'); const fs = require('fs');
http.createServer((q, s) => {
  if (q.url === '/ready') { s.statusCode = fs.existsSync('/tmp/unready') ? 500 : 200; return s.end(); }
  if (q.url === '/env') return s.end(JSON.stringify(process.env));
  s.end(process.env.POD_NAME + ' ' + process.env.POD_IP + ' ' + require('os').hostname());
}).listen(8080, () => console.log('listening on 8080'));
process.on('SIGTERM', () => { console.log('got SIGTERM'); process.exit(0); });`;

function podSpec(name: string, containers: V1Container[], extra: Partial<V1Pod['spec']> = {}): V1Pod {
  return {
    metadata: { name, namespace: 'default', uid: `${name}-0000-1111-2222-333344445555`, labels: { app: name } },
    spec: { nodeName: 'twin-node', restartPolicy: 'Always', terminationGracePeriodSeconds: 5, containers, ...extra },
  };
}

const web = (): V1Container => ({
  name: 'web',
  image: 'busybox:1.36',
  command: [process.execPath, '-e', server],
  env: [
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'certs', key: 'password' } } },
  ],
  readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1, failureThreshold: 1 },
  volumeMounts: [
    { name: 'certs', mountPath: '/etc/istio/ingressgateway-certs', readOnly: true },
    { name: 'ca', mountPath: '/etc/istio/ingressgateway-ca-certs', readOnly: true },
  ],
});
const webVolumes = { volumes: [{ name: 'certs', secret: { secretName: 'certs' } }, { name: 'ca', secret: { secretName: 'ca', optional: true } }] };

suite('pod runtime on the real kernel', () => {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pods-runtime-'));
  const nodeNetns = `igct-${process.pid}`;
  const podsDir = path.join(stateDir, 'pods');
  const logsDir = path.join(stateDir, 'pod-logs');
  const hook = hookPaths(podsDir);
  const state = new StateFile(stateDir);
  const supervisor = new Supervisor({ logDir: path.join(stateDir, 'logs'), state, stopTimeoutMs: 2_000, env: {}, setpriv: findTool('setpriv'), ip: findTool('ip') });
  const runtimes: PodRuntime[] = [];
  let deps: PodDeps;
  let activeFaults: ActiveFaults = NO_FAULTS; // what the rehearsal's faults file would say

  const exec = (pod: string, ...cmd: string[]) => spawnSync(hook.hook, ['exec', 'default', pod, 'web', '--', ...cmd], { encoding: 'utf8', timeout: 20_000 });
  const inNode = (...cmd: string[]) => spawnSync('ip', ['netns', 'exec', nodeNetns, ...cmd], { encoding: 'utf8', timeout: 20_000 });
  const status = (pod: string) => statuses.get(`default/${pod}`);
  const ready = (pod: string) => status(pod)?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  const waitFor = <T>(what: string, observe: () => T, holds: (v: T) => boolean, budgetMs = 30_000) =>
    eventually(async () => observe(), holds, { budgetMs, converge: 1, initialDelayMs: 50, maxDelayMs: 500, expectation: what });
  const start = (pod: V1Pod) => {
    const runtime = new PodRuntime(pod, deps);
    runtimes.push(runtime);
    void runtime.start();
    return runtime;
  };

  beforeAll(() => {
    spawnSync('ip', ['netns', 'add', nodeNetns]);
    spawnSync('ip', ['-n', nodeNetns, 'link', 'set', 'lo', 'up']);
    spawnSync('ip', ['netns', 'exec', nodeNetns, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward']);
    writeHook(hook, { ip: findTool('ip')!, node: process.execPath });
    deps = {
      core: fakeCore,
      supervisor,
      state,
      tools: { ip: findTool('ip')!, bwrap: findTool('bwrap')! },
      node: { name: 'twin-node', netns: nodeNetns, address: '10.250.9.2', clusterDnsIp: '10.96.0.10', clusterDomain: 'cluster.local' },
      ipPool: new IpPool('10.244.0.0/24'),
      podsDir,
      logsDir,
      hook,
      lookup: { secret: (ns, n) => secrets.get(`${ns}/${n}`), configMap: () => undefined, services: () => [] },
      binaries: async (names) => {
        // From the build cache only (a test never starts a Go build).
        const paths: Record<string, string> = {};
        for (const name of names) {
          const file = binaryPath(name as TwinBinary);
          if (!fs.existsSync(file)) throw new Error(`${name} is not built`);
          paths[name] = file;
        }
        return paths;
      },
      standIns: {},
      volumeSyncDelayMs: 300,
      faults: () => activeFaults,
      backoffMs: 200,
      log: () => {},
    };
  });

  afterAll(async () => {
    await Promise.all(runtimes.map((r) => r.terminate(1_000, false)));
    await supervisor.stopAll();
    spawnSync('ip', ['netns', 'delete', nodeNetns]);
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  test('two pods on their own IPs, both on :8080, Ready through their own probe', async () => {
    start(podSpec('pod-a', [web()], webVolumes));
    start(podSpec('pod-b', [web()], webVolumes));
    await waitFor('both pods Ready', () => [ready('pod-a'), ready('pod-b')], (r) => r.every(Boolean));
    const a = status('pod-a')!;
    const b = status('pod-b')!;
    expect(a).toMatchObject({ phase: 'Running', hostIP: '10.250.9.2', podIPs: [{ ip: a.podIP }] });
    expect(a.podIP).toMatch(/^10\.244\.0\.\d+$/);
    expect(b.podIP).not.toBe(a.podIP);
    expect(a.containerStatuses![0]).toMatchObject({ name: 'web', ready: true, started: true, restartCount: 0 });
    // From the node, each pod IP reaches its own program; inside a pod, 127.0.0.1 is its own.
    expect(inNode('curl', '-s', '--max-time', '5', `http://${a.podIP}:8080/`).stdout).toBe(`pod-a ${a.podIP} pod-a`);
    expect(inNode('curl', '-s', '--max-time', '5', `http://${b.podIP}:8080/`).stdout).toBe(`pod-b ${b.podIP} pod-b`);
    expect(exec('pod-b', 'curl', '-s', '--max-time', '5', 'http://127.0.0.1:8080/').stdout).toBe(`pod-b ${b.podIP} pod-b`);
    // Pod to pod through the node's routes.
    expect(exec('pod-a', 'curl', '-s', '--max-time', '5', `http://${b.podIP}:8080/`).stdout).toBe(`pod-b ${b.podIP} pod-b`);
  });

  test("exec sees the pod's files at the spec's paths, with real exit codes", () => {
    const ls = exec('pod-a', 'ls', '-al', '/etc/istio/ingressgateway-certs');
    expect(ls.status).toBe(0);
    expect(ls.stdout).toMatch(/tls\.crt -> \.\.data\/tls\.crt/);
    expect(ls.stdout).toMatch(/\.\.data -> \.\.\d{4}_/);
    expect(exec('pod-a', 'cat', '/etc/istio/ingressgateway-certs/tls.key').stdout).toBe('KEY');
    expect(exec('pod-a', 'stat', '-L', '-c', '%a', '/etc/istio/ingressgateway-certs/tls.key').stdout.trim()).toBe('600');
    expect(exec('pod-a', 'false').status).toBe(1);
    expect(exec('pod-a', 'no-such-command').status).toBe(127);
    expect(exec('pod-a', 'cat', '/etc/resolv.conf').stdout).toBe('search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n');
    expect(exec('pod-a', 'hostname').stdout.trim()).toBe('pod-a');
    expect(fs.existsSync('/etc/istio')).toBe(false);
  });

  test("the container's environment is its own, and secret values stay out of the logs", () => {
    const a = status('pod-a')!;
    const env = JSON.parse(inNode('curl', '-s', '--max-time', '5', `http://${a.podIP}:8080/env`).stdout) as Record<string, string>;
    expect(env).toMatchObject({ PASSWORD: 's3cr3t-v4lue', POD_NAME: 'pod-a', HOSTNAME: 'pod-a', HOME: '/root' });
    expect(env.PATH).toMatch(/^\/usr\/local\/sbin:/);
    expect(env).not.toHaveProperty('JEST_WORKER_ID');
    expect(exec('pod-a', 'printenv', 'PASSWORD').stdout).toBe('s3cr3t-v4lue\n');
    for (const file of fs.readdirSync(path.join(stateDir, 'logs'))) {
      expect(fs.readFileSync(path.join(stateDir, 'logs', file), 'utf8')).not.toContain('s3cr3t-v4lue');
    }
  });

  test('an optional secret created after the start appears after the sync delay; an update replaces it', async () => {
    expect(exec('pod-a', 'ls', '/etc/istio/ingressgateway-ca-certs').stdout).toBe('');
    secrets.set('default/ca', { data: { 'ca.crt': b64('CA-1') } });
    for (const r of runtimes) if (r.references('secret', 'default', 'ca')) r.sourceChanged();
    await waitFor('ca.crt in pod-a', () => exec('pod-a', 'cat', '/etc/istio/ingressgateway-ca-certs/ca.crt').stdout, (s) => s === 'CA-1', 10_000);
    secrets.set('default/ca', { data: { 'ca.crt': b64('CA-2') } });
    for (const r of runtimes) r.sourceChanged();
    await waitFor('the new ca.crt', () => exec('pod-a', 'cat', '/etc/istio/ingressgateway-ca-certs/ca.crt').stdout, (s) => s === 'CA-2', 10_000);
  });

  test('readiness follows the probe: not Ready while it fails, Ready again when it passes', async () => {
    expect(exec('pod-a', 'touch', '/tmp/unready').status).toBe(0); // the program's /tmp too
    await waitFor('pod-a not Ready', () => ready('pod-a'), (r) => !r, 15_000);
    expect(status('pod-a')!.containerStatuses![0]!.ready).toBe(false);
    exec('pod-a', 'rm', '/tmp/unready');
    await waitFor('pod-a Ready again', () => ready('pod-a'), (r) => r, 15_000);
  });

  test('the pod runner faults on a gateway pod: readiness, the files written, the exec view', async () => {
    const pem = (text: string) => `-----BEGIN CERTIFICATE-----\n${text}\n-----END CERTIFICATE-----\n`;
    secrets.set('default/istio-ingressgateway-certs', { data: { 'tls.crt': b64('CERT'), 'tls.key': b64('KEY') } });
    secrets.set('default/istio-ingressgateway-ca-certs', { data: { 'ca-chain.cert.pem': b64(pem('INTERMEDIATE') + pem('ROOT')) } });
    const gateway = podSpec('gw', [web()], {
      volumes: [
        { name: 'certs', secret: { secretName: 'istio-ingressgateway-certs' } },
        { name: 'ca', secret: { secretName: 'istio-ingressgateway-ca-certs', optional: true } },
      ],
    });
    gateway.metadata!.labels = { istio: 'ingressgateway' };
    const runtime = start(gateway);
    await waitFor('gw Ready', () => ready('gw'), (r) => r);
    const cat = (file: string) => exec('gw', 'cat', file).stdout;
    const certDir = '/etc/istio/ingressgateway-certs';
    const caDir = '/etc/istio/ingressgateway-ca-certs';

    // gateway-not-ready: not Ready while armed although its probe passes; Ready again after.
    activeFaults = { ...NO_FAULTS, faults: ['gateway-not-ready'] };
    await waitFor('gw not Ready', () => ready('gw'), (r) => !r, 15_000);
    expect(ready('pod-a')).toBe(true); // another pod is left alone
    activeFaults = NO_FAULTS;
    await waitFor('gw Ready again', () => ready('gw'), (r) => r, 15_000);

    // The volume faults: nothing of the Secret's pair replaced until the substitute exists, then it; the chain reversed.
    activeFaults = { ...NO_FAULTS, faults: ['mounted-cert-other-serial', 'mounted-ca-chain-reversed'] };
    runtime.sourceChanged();
    await waitFor('the reversed chain', () => cat(`${caDir}/ca-chain.cert.pem`), (text) => text === pem('ROOT') + pem('INTERMEDIATE'), 10_000);
    expect(cat(`${certDir}/tls.crt`)).toBe('CERT');
    activeFaults = { ...activeFaults, material: { otherServer: { certPem: 'OTHER-CERT', keyPem: 'OTHER-KEY' } } };
    await waitFor('the substitute pair', () => [cat(`${certDir}/tls.crt`), cat(`${certDir}/tls.key`)], ([crt, key]) => crt === 'OTHER-CERT' && key === 'OTHER-KEY', 10_000);
    activeFaults = NO_FAULTS;
    runtime.sourceChanged();
    await waitFor('the Secret\'s own files again', () => cat(`${certDir}/tls.crt`) + cat(`${caDir}/ca-chain.cert.pem`), (text) => text === 'CERT' + pem('INTERMEDIATE') + pem('ROOT'), 10_000);

    // The exec view: the entry rebound shows the CA volume at the certs path, put back shows the pair.
    const rewrites = new ExecViewRewrites();
    expect(rewrites.rebind(containerEntryFile(hook, 'default', 'gw', 'web'), certDir, caDir)).toBe(true);
    expect(exec('gw', 'ls', certDir).stdout).toBe('ca-chain.cert.pem\n');
    rewrites.restore();
    expect(exec('gw', 'ls', certDir).stdout).toBe('tls.crt\ntls.key\n');
  });

  test("logs: the program's output in CRI format where the stream server reads it", () => {
    const log = fs.readFileSync(path.join(logsDir, 'default_pod-a', 'web.log'), 'utf8');
    expect(log).toMatch(/^\S+Z stdout F listening on 8080$/m);
  });

  test('a crashing container restarts with back-off; its previous log is kept', async () => {
    start(podSpec('crasher', [{ name: 'web', image: 'busybox', command: ['sh', '-c', 'echo run; exit 3'] }]));
    await waitFor('two restarts', () => status('crasher')?.containerStatuses?.[0], (c) => (c?.restartCount ?? 0) >= 2, 20_000);
    const c = status('crasher')!.containerStatuses![0]!;
    expect(c.lastState?.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(status('crasher')!.phase).toBe('Running');
    expect(fs.readFileSync(path.join(logsDir, 'default_crasher', 'web.previous.log'), 'utf8')).toMatch(/stdout F run/);
  });

  test('a pod that runs to completion with restartPolicy Never Succeeds; a missing command exits 127', async () => {
    start(podSpec('once', [{ name: 'web', image: 'debian:12', command: ['sh', '-c', 'exit 0'] }], { restartPolicy: 'Never' }));
    start(podSpec('typo', [{ name: 'web', image: 'debian:12', command: ['no-such-program'] }], { restartPolicy: 'Never' }));
    await waitFor('once Succeeded', () => status('once')?.phase, (p) => p === 'Succeeded', 20_000);
    await waitFor('typo Failed', () => status('typo')?.phase, (p) => p === 'Failed', 20_000);
    expect(status('typo')!.containerStatuses![0]!.state?.terminated?.exitCode).toBe(127);
  });

  (httpbinBuilt ? test : test.skip)('the httpbin image runs the built go-httpbin on :8080: 418 with a teapot', async () => {
    start(podSpec('httpbin', [{ name: 'httpbin', image: 'docker.io/mccutchen/go-httpbin:v2.15.0', ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { path: '/status/200', port: 8080 }, periodSeconds: 1 } }]));
    await waitFor('httpbin Ready', () => ready('httpbin'), (r) => r, 30_000);
    const ip = status('httpbin')!.podIP!;
    const teapot = inNode('curl', '-s', '-w', '\n%{http_code}', '--max-time', '5', `http://${ip}:8080/status/418`).stdout;
    expect(teapot).toMatch(/I'm a teapot!\n418$/);
    // go-httpbin logs each request (the twin test counts them per replica).
    await waitFor('the request in the log', () => fs.readFileSync(path.join(logsDir, 'default_httpbin', 'httpbin.log'), 'utf8'), (log) => /status\/418/.test(log), 5_000);
  });

  test('an unknown image waits with ErrImagePull and a clear message', async () => {
    start(podSpec('nginx', [{ name: 'web', image: 'nginx:1.27' }]));
    await waitFor('ErrImagePull', () => status('nginx')?.containerStatuses?.[0]?.state?.waiting, (w) => w?.reason === 'ErrImagePull', 10_000);
    expect(status('nginx')!.containerStatuses![0]!.state!.waiting!.message).toMatch(/no program for this image/);
    expect(status('nginx')!.phase).toBe('Pending');
  });

  test('termination: SIGTERM reaches the program, the namespace and folder go, the object is deleted', async () => {
    const runtime = runtimes.find((r) => r.name === 'pod-b')!;
    const netns = podNetworkNames(nodeNetns, runtime.uid).podNetns;
    expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).toContain(netns);
    const logFile = path.join(logsDir, 'default_pod-b', 'web.log');
    let lastLog = '';
    const tail = setInterval(() => {
      try {
        lastLog = fs.readFileSync(logFile, 'utf8');
      } catch {
        // removed with the pod
      }
    }, 20);
    const started = Date.now();
    await runtime.terminate(5_000, true);
    clearInterval(tail);
    expect(Date.now() - started).toBeLessThan(4_000); // the program left on SIGTERM, no SIGKILL wait
    expect(lastLog).toMatch(/stdout F got SIGTERM/);
    expect(fs.existsSync(logFile)).toBe(false);
    expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toContain(netns);
    expect(fs.existsSync(path.join(podsDir, runtime.uid))).toBe(false);
    expect(fs.existsSync(path.join(hook.index, 'default_pod-b'))).toBe(false);
    expect(deleted).toContain('default/pod-b');
    expect(exec('pod-b', 'true').status).toBe(1);
    // The other pods keep their routes (every node-side veth holds the gateway address).
    const a = status('pod-a')!;
    expect(inNode('curl', '-s', '--max-time', '5', `http://${a.podIP}:8080/`).stdout).toBe(`pod-a ${a.podIP} pod-a`);
  });
});
