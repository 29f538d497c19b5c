// The fixtures of the kind target, checked against each other and against Istio's own source:
// the kind config maps the NodePort the Istio overlay pins; the overlay keeps the istio-ingress
// chart's ports and its two doc secret mounts (a value set in the overlay REPLACES the chart's
// list); httpbin is Istio's sample. Istio's source is the Go module the twin builds, read from the
// Go module cache (`go mod download` fetches it once when missing).
import { beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { binaryPath } from '../../twin/build';
import { installArgs } from '../../twin/istio/install';
import { loadSettings } from '../../helpers/config';
import { fixtures, GATEWAY } from './kind-plan';
import { nodeImageFor, pins } from './pins';
import { run } from './run';

// The Istio source the overlay and the httpbin copy were checked against (Istio master, 1.31-dev).
const ISTIO_MODULE = 'istio.io/istio@v0.0.0-20260827124520-eed52ebb66ad';
const DOC_SECRETS = [
  { name: 'ingressgateway-certs', secretName: 'istio-ingressgateway-certs', mountPath: '/etc/istio/ingressgateway-certs' },
  { name: 'ingressgateway-ca-certs', secretName: 'istio-ingressgateway-ca-certs', mountPath: '/etc/istio/ingressgateway-ca-certs' },
];

interface Port {
  name: string;
  port: number;
  targetPort: number;
  nodePort?: number;
  protocol: string;
}

let istioSource: string;
beforeAll(async () => {
  const result = await run(['go', 'mod', 'download', '-json', ISTIO_MODULE], { timeoutMs: 600_000, cwd: '/' });
  if (result.exitCode !== 0) throw new Error(`go mod download ${ISTIO_MODULE} failed: ${result.stderr || result.stdout}`);
  istioSource = (JSON.parse(result.stdout) as { Dir: string }).Dir;
}, 600_000);

const chartDir = () => path.join(istioSource, 'manifests', 'charts', 'gateways', 'istio-ingress');

async function chartGateway(): Promise<{ ports: Port[]; secretVolumes: unknown[]; type: string }> {
  const values = parse(await readFile(path.join(chartDir(), 'values.yaml'), 'utf8')) as {
    _internal_defaults_do_not_set: { gateways: { 'istio-ingressgateway': { ports: Port[]; secretVolumes: unknown[]; type: string } } };
  };
  return values._internal_defaults_do_not_set.gateways['istio-ingressgateway'];
}

async function overlay() {
  return parse(await readFile(fixtures.gatewayOverlay, 'utf8')) as {
    apiVersion: string;
    kind: string;
    spec: {
      profile?: string;
      hub?: string;
      tag?: string;
      components: { ingressGateways: { name: string; enabled: boolean; k8s: { service: { ports: Port[]; type?: string } } }[] };
      values: { gateways: { 'istio-ingressgateway': { secretVolumes: unknown[] } } };
    };
  };
}

describe('fixtures/kind/cluster.yaml', () => {
  test('maps the gateway https NodePort to the host loopback, on the node image pinned for the default Istio', async () => {
    const config = parse(await readFile(fixtures.kindConfig, 'utf8')) as { kind: string; apiVersion: string; nodes: { role: string; image: string; extraPortMappings: unknown[] }[] };
    expect(config).toMatchObject({ kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4' });
    expect(config.nodes).toHaveLength(1);
    expect(config.nodes[0]!.role).toBe('control-plane');
    expect(config.nodes[0]!.extraPortMappings).toEqual([
      { containerPort: GATEWAY.httpsNodePort, hostPort: loadSettings({}).KIND_HTTPS_HOST_PORT, listenAddress: '127.0.0.1', protocol: 'TCP' },
    ]);
    expect(config.nodes[0]!.image).toBe(nodeImageFor({}).image);
  });
});

describe('fixtures/istio/gateway-overlay.yaml', () => {
  test('gives https 443 -> 8443 the pinned NodePort and keeps every port of the chart', async () => {
    const doc = await overlay();
    expect(doc).toMatchObject({ apiVersion: 'install.istio.io/v1alpha1', kind: 'IstioOperator' });
    const gateway = doc.spec.components.ingressGateways.find((g) => g.name === 'istio-ingressgateway')!;
    expect(gateway.enabled).toBe(true);
    const ports = gateway.k8s.service.ports;
    expect(ports.find((p) => p.name === 'https')).toEqual({ name: 'https', port: 443, targetPort: 8443, nodePort: GATEWAY.httpsNodePort, protocol: 'TCP' });
    // istioctl turns k8s.service.ports into the chart's `ports` value, replacing its list.
    expect(ports.map(({ nodePort: _drop, ...rest }) => rest)).toEqual((await chartGateway()).ports);
    expect(gateway.k8s.service.type).toBeUndefined(); // the chart's LoadBalancer stays (the twin serves it)
  });

  test("mounts the doc's two secrets exactly as the chart's defaults do", async () => {
    const doc = await overlay();
    const volumes = doc.spec.values.gateways['istio-ingressgateway'].secretVolumes;
    expect(volumes).toEqual(DOC_SECRETS);
    expect(volumes).toEqual((await chartGateway()).secretVolumes);
  });

  test("pins the published hub (the source tree's default is a testing registry); tag and profile stay the installer's", async () => {
    const { spec } = await overlay();
    expect([spec.hub, spec.tag, spec.profile]).toEqual(['docker.io/istio', undefined, undefined]);
    const profile = parse(await readFile(path.join(istioSource, 'manifests', 'profiles', 'default.yaml'), 'utf8')) as { spec: { hub: string } };
    expect(profile.spec.hub).not.toBe(spec.hub); // without the pin, the install would depend on how istioctl was built
  });

  test("the twin's --set hub comes after the overlay, so its build's hub wins (istioctl: files < --set flags)", async () => {
    const args = installArgs('/k', 'docker.io/istio', '1.31-dev');
    expect(args.indexOf('--set')).toBeGreaterThan(args.indexOf(fixtures.gatewayOverlay));
    const render = await readFile(path.join(istioSource, 'operator', 'pkg', 'render', 'manifest.go'), 'utf8');
    expect(render).toContain('files (in order) < --set flags (in order)');
  });

  test("the chart and istioctl carry both values through: every key of a port, secret mounts optional", async () => {
    const service = await readFile(path.join(chartDir(), 'templates', 'service.yaml'), 'utf8');
    expect(service).toContain('{{- range $pkey, $pval := $val }}');
    expect(service).toContain('{{ $pkey}}: {{ $pval }}');
    const deployment = await readFile(path.join(chartDir(), 'templates', 'deployment.yaml'), 'utf8');
    expect(deployment).toMatch(/range \$gateway\.secretVolumes \}\}\n\s+- name: \{\{ \.name \}\}\n\s+secret:\n\s+secretName: \{\{ \.secretName \| quote \}\}\n\s+optional: true/);
    const render = await readFile(path.join(istioSource, 'operator', 'pkg', 'render', 'manifest.go'), 'utf8');
    expect(render).toContain('spec.Kubernetes.Service.Ports');
    expect(render).toMatch(/SetPath\(fmt\.Sprintf\("spec\.values\.%s\.ports", root\), ports\)/);
  });

  // The real istioctl, when the twin has built it (npm run twin:build): the rendered manifest itself.
  const twinIstioctl = binaryPath('istioctl');
  (existsSync(twinIstioctl) ? test : test.skip)('istioctl manifest generate renders the NodePort and both optional mounts', async () => {
    const result = await run([twinIstioctl, 'manifest', 'generate', '-f', fixtures.gatewayOverlay], { timeoutMs: 120_000 });
    expect(result.exitCode).toBe(0);
    const objects = parseAllDocuments(result.stdout).map((d) => d.toJS() as { kind?: string; metadata?: { name?: string }; spec?: Record<string, unknown> } | null);
    const service = objects.find((o) => o?.kind === 'Service' && o.metadata?.name === GATEWAY.service) as { spec: { type: string; ports: Port[] } };
    expect(service.spec.type).toBe('LoadBalancer');
    expect(service.spec.ports.find((p) => p.name === 'https')).toMatchObject({ port: 443, targetPort: 8443, nodePort: GATEWAY.httpsNodePort });
    const deployment = objects.find((o) => o?.kind === 'Deployment' && o.metadata?.name === GATEWAY.deployment) as {
      spec: { template: { spec: { volumes: { name: string; secret?: { secretName: string; optional?: boolean } }[] } } };
    };
    for (const secret of DOC_SECRETS) {
      expect(deployment.spec.template.spec.volumes).toContainEqual({ name: secret.name, secret: { secretName: secret.secretName, optional: true } });
    }
  }, 120_000);
});

describe('fixtures/httpbin/httpbin.yaml', () => {
  test("is Istio's sample plus only the no-sidecar label, with the pinned image", async () => {
    const ours = parseAllDocuments(await readFile(fixtures.httpbin, 'utf8')).map((d) => d.toJS() as Record<string, any>);
    const sample = parseAllDocuments(await readFile(path.join(istioSource, 'samples', 'httpbin', 'httpbin.yaml'), 'utf8')).map((d) => d.toJS() as Record<string, any>);
    const deployment = ours.find((o) => o.kind === 'Deployment')!;
    expect(deployment.spec.template.metadata.labels['sidecar.istio.io/inject']).toBe('false');
    delete deployment.spec.template.metadata.labels['sidecar.istio.io/inject'];
    expect(ours).toEqual(sample);
    expect(deployment.spec.template.spec.containers[0].image).toBe(pins.httpbin.image);
    const service = ours.find((o) => o.kind === 'Service')!;
    expect(service.spec.ports).toEqual([{ name: 'http', port: 8000, targetPort: 8080 }]);
  });
});
