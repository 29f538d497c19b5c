// `npm run twin` as the doc's reader uses it: start it, then type the doc's own commands by hand
// (the real kubectl, the real curl, the doc's relative paths) and see the doc's answer, HTTP/2 418
// with the teapot. Before the twin deployed the httpbin sample itself, the doc's curl got Envoy's
// 503 here while the suite (which deploys httpbin for its run) passed: issue 17.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eventually } from '../helpers/eventually';
import { makeDocChain, writeDocLayout, type DocLayout } from '../helpers/pki';
import { commonName, runCurl, type CurlObservation } from '../helpers/probe/curl-cli';
import { cachedKubectl } from '../twin/binaries';

const HOST = 'httpbin.example.com';
// The doc's Gateway and VirtualService, as its reader pastes them (istioctl create is kubectl apply today).
const DOC_OBJECTS = `apiVersion: networking.istio.io/v1alpha3
kind: Gateway
metadata:
  name: httpbin-gateway
spec:
  selector:
    istio: ingressgateway
  servers:
  - port:
      number: 443
      name: https
      protocol: HTTPS
    tls:
      mode: SIMPLE
      serverCertificate: /etc/istio/ingressgateway-certs/tls.crt
      privateKey: /etc/istio/ingressgateway-certs/tls.key
    hosts:
    - "httpbin.example.com"
---
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata:
  name: httpbin
spec:
  hosts:
  - "httpbin.example.com"
  gateways:
  - httpbin-gateway
  http:
  - match:
    - uri:
        prefix: /status
    - uri:
        prefix: /delay
    route:
    - destination:
        port:
          number: 8000
        host: httpbin
`;

let tmp: string;
let twin: ChildProcess | undefined;
let ready: { kubeconfig: string; ingressHost: string; securePort: number };
let layout: DocLayout;

function kubectl(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cachedKubectl() ?? 'kubectl', ['--kubeconfig', ready.kubeconfig, ...args], { encoding: 'utf8' }, (error, stdout, stderr) =>
      error ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr || error.message}`)) : resolve(stdout),
    );
    child.stdin?.end(input ?? '');
  });
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'npm-run-twin-'));
  layout = await writeDocLayout(await makeDocChain({ host: HOST }), path.join(tmp, 'doc'));
  twin = spawn(process.execPath, ['--import', 'tsx', 'scripts/twin.ts', '--kubeconfig-out', path.join(tmp, 'kubeconfig'), '--state-dir', path.join(tmp, 'state')], {
    cwd: path.resolve(__dirname, '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  twin.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    twin!.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const found = /^twin ready: .*$/m.exec(stdout);
      if (found) resolve(found[0]);
    });
    twin!.on('exit', (code) => reject(new Error(`npm run twin exited ${code} before it was ready:\n${stderr.slice(-2000)}`)));
  });
  const doc = /export KUBECONFIG=(\S+) INGRESS_HOST=(\S+) SECURE_INGRESS_PORT=(\d+)/.exec(line);
  if (!doc) throw new Error(`the ready line names no doc variables: ${line}`);
  ready = { kubeconfig: doc[1]!, ingressHost: doc[2]!, securePort: Number(doc[3]) };
}, 240_000);

afterAll(async () => {
  if (twin && twin.exitCode === null) {
    twin.kill('SIGINT');
    await once(twin, 'exit');
  }
  await rm(tmp, { recursive: true, force: true });
}, 60_000);

describe('npm run twin, then the doc by hand (root, built binaries)', () => {
  test("the doc's own curl gets HTTP/2 418 with the teapot", async () => {
    const rel = (file: string) => path.relative(layout.dir, file);
    await kubectl(['create', '-n', 'istio-system', 'secret', 'tls', 'istio-ingressgateway-certs', '--key', layout.serverKey, '--cert', layout.serverCert]);
    await kubectl(['apply', '-f', '-'], DOC_OBJECTS);
    const docCurl = () => runCurl({ cwd: layout.dir, host: HOST, port: ready.securePort, address: ready.ingressHost, path: '/status/418', cacert: rel(layout.caChain), timeoutMs: 2_000 });
    const seen = await eventually<CurlObservation>(docCurl, (o) => o.outcome === 'response' && o.status === 418, {
      budgetMs: 60_000,
      converge: 1,
      initialDelayMs: 100,
      maxDelayMs: 1_000,
      expectation: "the doc's curl to answer 418",
      render: (o) => `${o.outcome} ${o.status ?? ''} ${o.error}`,
    });
    expect(seen).toMatchObject({ status: 418, httpVersion: '2' });
    expect(seen.body).toMatch(/teapot/i);
    expect(commonName(seen.peerSubject)).toBe(HOST);
  }, 120_000);
});
