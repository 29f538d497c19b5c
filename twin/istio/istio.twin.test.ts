// Real Istio on the twin: the real istioctl installs it (installIstio), the pod runner runs the real
// pilot-discovery and pilot-agent (with the Envoy stand-in as Envoy), and the real kubectl drives it.
// One twin for the file, always stopped. Needs root and the built binaries (npm run twin:build);
// never builds. The ready time printed is the warm start with Istio (aim: under 40 s).
//
// The tests run in order on one cluster: the doc's secrets (beforeAll), its SIMPLE Gateway and
// VirtualService, invalid Gateways, the MUTUAL replacement, a second server certificate, istioctl's
// views, and last the proof that the rejections came from istiod's webhook (it is removed, then restored).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import YAML from 'yaml';
import { eventually } from '../../helpers/eventually';
import { FILE_MOUNT, ISTIO_DEFAULTS } from '../../helpers/istio/conventions';
import { secretObject } from '../../helpers/kube';
import { certificateSummary, issueCertificate, makeDocChain, type DocChain } from '../../helpers/pki';
import { binaryPath, type TwinBinary } from '../build';
import { cachedControlPlaneBinaries, cachedKubectl } from '../binaries';
import { startTwin, type Twin } from '../index';
import { findTool, requireRoot } from '../node/prerequisites';
import { run } from '../process/run';
import { podRunnerPlugin } from '../pods';
import { writeEnvoyLauncher } from './envoy-stand-in';
import { installIstio } from './install';
import { istioSourceFile } from './source';
import { activeSecretNames, certSerials, tlsChainFor } from './testing/gateway-view';

const testdata = (file: string) => path.join(__dirname, 'testdata', file);
const HOST = 'httpbin.example.com';
const FILE_CERT = `file-cert:${FILE_MOUNT.certDir}/tls.crt~${FILE_MOUNT.certDir}/tls.key`;
const FILE_ROOT = `file-root:${FILE_MOUNT.caDir}/${FILE_MOUNT.caFile}`;
const VERSIONS = ['v1alpha3', 'v1beta1', 'v1'] as const;
// istiod's validation webhook: the webhook the default-revision configuration names, and its
// answer's prefix (pkg/webhooks/validation/server/server.go: "configuration is invalid: %v").
const VALIDATOR = 'istiod-default-validator';
const DENIED = 'admission webhook "validation.istio.io" denied the request: configuration is invalid';
// Invalid Gateways and istiod's words for them, from pkg/config/validation/validation.go of the pinned
// istio.io/istio (validateServer and validateTLSOptions).
const INVALID: [string, string, string, string[]][] = [
  ['an HTTPS server without tls', 'gateway-https-without-tls.yaml', 'bad-gateway', ['server must have TLS settings for HTTPS/TLS protocols']],
  ['SIMPLE without a certificate', 'gateway-simple-without-certificate.yaml', 'simple-without-certificate', ['SIMPLE TLS requires a server certificate', 'SIMPLE TLS requires a private key']],
  ['MUTUAL without a CA bundle', 'gateway-mutual-without-ca.yaml', 'mutual-without-ca', ['MUTUAL TLS requires a client CA bundle']],
];

function cachedFile(file: string, what: string): string {
  if (!fs.existsSync(file)) throw new Error(`${what} is not built: run npm run twin:build`);
  return file;
}
const cachedBinary = (name: TwinBinary) => cachedFile(binaryPath(name), name);

/** A command's exit code and output, without throwing on a non-zero exit. */
function result(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

const poll = { converge: 1, initialDelayMs: 250, maxDelayMs: 2_000 } as const;

describe('Istio installed on the twin by istioctl (root, built binaries)', () => {
  let twin: Twin | undefined;
  let stateDir: string;
  let kubeconfig: string;
  let kubectlBinary: string;
  let istioctl: string;
  let chain: DocChain;
  let gatewayPod: string;
  // The 2018 doc's two secrets, as istioctl's gateway chart mounts them.
  const serverSecret = (server: { certPem: string; keyPem: string }) =>
    secretObject({ namespace: ISTIO_DEFAULTS.namespace, name: FILE_MOUNT.certSecret }, 'kubernetes.io/tls', { 'tls.crt': server.certPem, 'tls.key': server.keyPem });
  const caSecret = (caChainPem: string) => secretObject({ namespace: ISTIO_DEFAULTS.namespace, name: FILE_MOUNT.caSecret }, 'Opaque', { [FILE_MOUNT.caFile]: caChainPem });
  const kubectl = (...args: string[]) => run(kubectlBinary, [`--kubeconfig=${kubeconfig}`, ...args], { timeoutMs: 120_000 });
  const kubectlResult = (...args: string[]) => result(kubectlBinary, [`--kubeconfig=${kubeconfig}`, ...args]);
  /** Envoy's admin JSON as `pilot-agent request GET <path>` relays it, in the gateway pod. */
  const admin = async (adminPath: string) =>
    JSON.parse(await kubectl('-n', 'istio-system', 'exec', gatewayPod, '-c', 'istio-proxy', '--', 'pilot-agent', 'request', 'GET', adminPath)) as Record<string, any>;
  const serial = (certPem: string) => certificateSummary(certPem).serialNumber;

  beforeAll(async () => {
    requireRoot('this test');
    const binaries = cachedControlPlaneBinaries();
    const built: Record<string, string> = {};
    for (const name of ['coredns', 'pilot-discovery', 'pilot-agent'] as const) built[name] = cachedBinary(name);
    istioctl = cachedBinary('istioctl');
    cachedFile(istioSourceFile('tools/packaging/common/envoy_bootstrap.json'), "proxyv2's Envoy bootstrap template");
    kubectlBinary = cachedKubectl() ?? findTool('kubectl') ?? '';
    if (!kubectlBinary) throw new Error('no kubectl: run npm run twin:build (it builds kubectl)');
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'igc-istio-'));
    kubeconfig = path.join(stateDir, 'kubeconfig.out');
    const started = Date.now();
    const certificates = makeDocChain({ host: HOST, keyType: 'ecdsa' });
    twin = await startTwin({
      stateDir,
      binaries,
      kubeconfigOut: kubeconfig,
      podRunner: podRunnerPlugin({
        stateDir,
        binaries: async (wanted) => Object.fromEntries(wanted.map((n) => [n, built[n] ?? cachedBinary(n as TwinBinary)])),
        standIns: { envoy: writeEnvoyLauncher(path.join(stateDir, 'istio')) },
      }),
    });
    const installed = await installIstio(twin, { istioctl });
    process.stdout.write(`twin ${twin.totalMs} ms, Istio ${installed.release} installed in ${installed.ms} ms, ready with Istio after ${Date.now() - started} ms\n`);

    // The doc's two secrets, mounted (optional volumes) into the gateway pod at the doc's paths.
    chain = await certificates;
    for (const secret of [serverSecret(chain.server), caSecret(chain.caChainPem)]) {
      await run(kubectlBinary, [`--kubeconfig=${kubeconfig}`, 'create', '-f', '-'], { input: JSON.stringify(secret) });
    }
    gatewayPod = await kubectl('-n', 'istio-system', 'get', 'pods', '-l', 'app=istio-ingressgateway', '-o', 'jsonpath={.items[0].metadata.name}');
    await eventually(
      () => kubectl('-n', 'istio-system', 'exec', gatewayPod, '-c', 'istio-proxy', '--', 'ls', FILE_MOUNT.certDir, FILE_MOUNT.caDir),
      (listing) => listing.includes('tls.crt') && listing.includes(FILE_MOUNT.caFile),
      { ...poll, budgetMs: 30_000, expectation: "the doc's secrets in the gateway pod's volumes" },
    );
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

  test("the doc's Gateway and VirtualService, applied verbatim with kubectl, are accepted and read back at each version", async () => {
    const applied = await kubectl('apply', '-f', testdata('gateway-simple.yaml'), '-f', testdata('virtualservice.yaml'));
    expect(applied).toContain('gateway.networking.istio.io/httpbin-gateway created');
    expect(applied).toContain('virtualservice.networking.istio.io/httpbin created');
    for (const [kind, name, file] of [['gateways', 'httpbin-gateway', 'gateway-simple.yaml'], ['virtualservices', 'httpbin', 'virtualservice.yaml']] as const) {
      const { spec } = YAML.parse(fs.readFileSync(testdata(file), 'utf8')) as { spec: unknown };
      for (const version of VERSIONS) {
        const object = JSON.parse(await kubectl('get', `${kind}.${version}.networking.istio.io`, name, '-o', 'json')) as { apiVersion: string; spec: unknown };
        expect(object.apiVersion).toBe(`networking.istio.io/${version}`);
        expect(object.spec).toEqual(spec);
      }
    }
  });

  test.each(INVALID)("%s is rejected by istiod's webhook, in istiod's words, and not stored", async (_what, file, name, messages) => {
    const applied = await kubectlResult('apply', '-f', testdata(file));
    expect(applied.code).not.toBe(0);
    expect(applied.stderr).toContain(DENIED);
    for (const message of messages) expect(applied.stderr).toContain(message);
    const stored = await kubectlResult('get', 'gateways.networking.istio.io', name);
    expect(stored.stderr).toContain('NotFound');
  });

  test('istiod and the gateway pod are Ready', async () => {
    for (const app of ['istiod', 'istio-ingressgateway']) {
      const pods = JSON.parse(await kubectl('-n', 'istio-system', 'get', 'pods', '-l', `app=${app}`, '-o', 'json')) as { items: { status: { conditions?: { type: string; status: string }[] } }[] };
      expect(pods.items).toHaveLength(1);
      expect(pods.items[0]!.status.conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'True' }));
    }
  });

  test('the gateway Service exposes https 443 -> 8443 on NodePort 30443 with the node as LoadBalancer address', async () => {
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

  test("istiod turns the SIMPLE Gateway into a filter chain for httpbin.example.com serving the doc's files", async () => {
    // istiod pushes the Gateway applied above to the proxy shortly after it is accepted.
    const dump = await eventually(
      () => admin('config_dump'),
      (d) => tlsChainFor(d, HOST) !== undefined,
      { ...poll, budgetMs: 60_000, expectation: `a filter chain for ${HOST}`, render: (d) => JSON.stringify(d).slice(0, 500) },
    );
    expect(tlsChainFor(dump, HOST)).toEqual({
      listener: '0.0.0.0_8443',
      serverNames: [HOST],
      requireClientCertificate: false,
      certificateSecrets: [FILE_CERT],
      validationSecret: undefined,
      routeConfigName: 'https.443.https.httpbin-gateway.default',
    });
    // pilot-agent read the mounted files and served them over SDS: /certs shows the doc's server certificate.
    const certs = await eventually(() => admin('certs'), (c) => certSerials(c).certChain.length > 0, { ...poll, budgetMs: 30_000, expectation: 'a certificate in /certs' });
    expect(certSerials(certs)).toEqual({ certChain: [serial(chain.server.certPem)], caCert: [] });
    expect(activeSecretNames(await admin('config_dump'))).toEqual([FILE_CERT]);
  });

  test('the MUTUAL replacement is accepted and becomes a chain that requires a client certificate, verified against the doc CA file', async () => {
    expect(await kubectl('apply', '-f', testdata('gateway-mutual.yaml'))).toContain('gateway.networking.istio.io/httpbin-gateway configured');
    const { spec } = YAML.parse(fs.readFileSync(testdata('gateway-mutual.yaml'), 'utf8')) as { spec: unknown };
    for (const version of VERSIONS) {
      expect((JSON.parse(await kubectl('get', `gateways.${version}.networking.istio.io`, 'httpbin-gateway', '-o', 'json')) as { spec: unknown }).spec).toEqual(spec);
    }
    const dump = await eventually(
      () => admin('config_dump'),
      (d) => tlsChainFor(d, HOST)?.requireClientCertificate === true,
      { ...poll, budgetMs: 60_000, expectation: `a filter chain for ${HOST} requiring a client certificate`, render: (d) => JSON.stringify(tlsChainFor(d, HOST)) },
    );
    expect(tlsChainFor(dump, HOST)).toEqual({
      listener: '0.0.0.0_8443',
      serverNames: [HOST],
      requireClientCertificate: true,
      certificateSecrets: [FILE_CERT],
      validationSecret: FILE_ROOT,
      routeConfigName: 'https.443.https.httpbin-gateway.default',
    });
    // The CA bundle is ca-chain.cert.pem: the intermediate first, which /certs shows (Envoy shows the first).
    const certs = await eventually(() => admin('certs'), (c) => certSerials(c).caCert.length > 0, { ...poll, budgetMs: 30_000, expectation: 'a client CA in /certs' });
    expect(certSerials(certs)).toEqual({ certChain: [serial(chain.server.certPem)], caCert: [serial(chain.intermediate.certPem)] });
  });

  test('the file-cert secret pilot-agent serves follows the mounted files: a second certificate shows in /certs', async () => {
    const second = await issueCertificate({ subject: { CN: HOST, O: 'Dis' }, issuer: chain.intermediate, dnsNames: [HOST], extendedKeyUsage: ['serverAuth'], keyType: 'ecdsa' });
    expect(serial(second.certPem)).not.toBe(serial(chain.server.certPem));
    const replaced = Date.now();
    await run(kubectlBinary, [`--kubeconfig=${kubeconfig}`, 'replace', '-f', '-'], { input: JSON.stringify(serverSecret(second)) });
    // Kubelet volume sync (TWIN_VOLUME_SYNC_MS), then pilot-agent's file watch and an SDS push.
    const certs = await eventually(
      () => admin('certs'),
      (c) => certSerials(c).certChain.includes(serial(second.certPem)),
      { ...poll, budgetMs: 60_000, expectation: 'the second certificate in /certs', render: (c) => JSON.stringify(certSerials(c)) },
    );
    process.stdout.write(`the second certificate was served ${Date.now() - replaced} ms after the secret was replaced\n`);
    expect(certSerials(certs)).toEqual({ certChain: [serial(second.certPem)], caCert: [serial(chain.intermediate.certPem)] });
  });

  test('istioctl proxy-status lists the gateway, synced from istiod at the pinned version', async () => {
    const status = await run(istioctl, ['proxy-status', '--kubeconfig', kubeconfig], { timeoutMs: 60_000 });
    const row = status.split('\n').find((line) => line.startsWith(`${gatewayPod}.istio-system `));
    expect(row).toBeDefined();
    expect(row).toMatch(/ istiod-[a-z0-9]+-[a-z0-9]+ +1\.31-dev +\d+ \(/);
    for (const type of ['CDS', 'LDS', 'EDS', 'RDS']) expect(row).toContain(type);
  });

  test("istioctl analyze reads the cluster's objects: the doc's VirtualService names a host with no Service (httpbin is not deployed here)", async () => {
    const analyzed = await result(istioctl, ['analyze', '-n', 'default', '--kubeconfig', kubeconfig]);
    const output = `${analyzed.stdout}${analyzed.stderr}`;
    expect(output).toContain('Error [IST0101] (VirtualService default/httpbin) Referenced host not found: "httpbin"');
    expect(output).toContain('Error: Analyzers found issues when analyzing namespace: default.');
    expect(analyzed.code).toBe(79); // istioctl's exit code for analyzer errors (log format only; -o json exits 0)
  });

  // Last: it removes the webhook configuration, and restores it before it ends.
  test('the rejections came from the webhook: without its configuration the same Gateways are accepted, with it again rejected', async () => {
    const dryRun = (file: string) => kubectlResult('apply', '--dry-run=server', '-f', testdata(file));
    const saved = JSON.parse(await kubectl('get', 'validatingwebhookconfiguration', VALIDATOR, '-o', 'json')) as { metadata: Record<string, unknown>; webhooks: { name: string; clientConfig: { service: unknown } }[] };
    expect(saved.webhooks.map((w) => w.name)).toEqual(['validation.istio.io']);
    expect(saved.webhooks[0]!.clientConfig.service).toMatchObject({ name: 'istiod', namespace: 'istio-system', path: '/validate' });
    const allRejected = async () => (await Promise.all(INVALID.map(([, file]) => dryRun(file)))).every((r) => r.code !== 0 && r.stderr.includes(DENIED));
    const allAccepted = async () => (await Promise.all(INVALID.map(([, file]) => dryRun(file)))).every((r) => r.code === 0 && r.stdout.includes('(server dry run)'));
    expect(await allRejected()).toBe(true);

    await kubectl('delete', 'validatingwebhookconfiguration', VALIDATOR);
    try {
      // The API server drops a deleted webhook from its cache shortly after.
      await eventually(allAccepted, (ok) => ok, { ...poll, budgetMs: 30_000, expectation: 'the invalid Gateways accepted without the webhook' });
    } finally {
      const { resourceVersion: _rv, uid: _uid, creationTimestamp: _created, generation: _generation, managedFields: _managed, ...metadata } = saved.metadata;
      await run(kubectlBinary, [`--kubeconfig=${kubeconfig}`, 'create', '-f', '-'], { input: JSON.stringify({ ...saved, metadata }) });
    }
    await eventually(allRejected, (ok) => ok, { ...poll, budgetMs: 30_000, expectation: 'the invalid Gateways rejected again with the webhook restored' });
  });
});
