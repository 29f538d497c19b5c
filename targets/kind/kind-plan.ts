// The kind target as data: the exact commands, in order, that create (or reuse) the cluster,
// install Istio with the shared gateway overlay, deploy httpbin and wait for all of it; and the
// command that deletes it. The dry run prints this plan; provision.ts runs it. Every command gets
// the cluster's own kubeconfig: the user's current context is never read or changed.
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { Settings } from '../../helpers/config';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const fixtures = {
  kindConfig: path.join(repoRoot, 'fixtures', 'kind', 'cluster.yaml'),
  gatewayOverlay: path.join(repoRoot, 'fixtures', 'istio', 'gateway-overlay.yaml'),
  httpbin: path.join(repoRoot, 'fixtures', 'httpbin', 'httpbin.yaml'),
};

/** What the overlay and the kind config agree on (overlay.test.ts checks both files). */
export const GATEWAY = { namespace: 'istio-system', service: 'istio-ingressgateway', deployment: 'istio-ingressgateway', httpsNodePort: 30443 } as const;
export const HTTPBIN = { namespace: 'default', deployment: 'httpbin' } as const;

export const WAIT_TIMEOUT = '300s';

export interface Command {
  /** Why it runs, for progress lines. */
  title: string;
  argv: string[];
  timeoutMs: number;
}

export interface KindPlan {
  clusterName: string;
  kubeconfig: string;
  ingressAddress: string;
  /** `kind get clusters`: decides between create and reuse. */
  find: Command;
  create: Command;
  reuse: Command;
  /** After the cluster is there, in order. */
  install: Command[];
  /** Prints the https NodePort of the gateway Service; must print GATEWAY.httpsNodePort. */
  checkNodePort: Command;
  teardown: Command;
}

export interface PlanInput {
  settings: Pick<Settings, 'CACHE_DIR' | 'KIND_CLUSTER_NAME' | 'KIND_HTTPS_HOST_PORT'>;
  kind: string;
  istioctl: string;
  kubectl: string;
  nodeImage: string;
  /** The kind config the cluster is created from (kindConfigFor()). */
  kindConfig: string;
}

/** Where the cluster's own files live: CACHE_DIR/kind/<name>/. */
export function clusterDir(settings: Pick<Settings, 'CACHE_DIR' | 'KIND_CLUSTER_NAME'>): string {
  return path.join(path.resolve(settings.CACHE_DIR), 'kind', settings.KIND_CLUSTER_NAME);
}

export function kindPlan(input: PlanInput): KindPlan {
  const name = input.settings.KIND_CLUSTER_NAME;
  const kubeconfig = path.join(clusterDir(input.settings), 'kubeconfig');
  const kubectl = (...args: string[]) => [input.kubectl, '--kubeconfig', kubeconfig, ...args];
  const rollout = (namespace: string, deployment: string): Command => ({
    title: `waiting for deployment ${namespace}/${deployment}`,
    argv: kubectl('rollout', 'status', '--namespace', namespace, `deployment/${deployment}`, `--timeout=${WAIT_TIMEOUT}`),
    timeoutMs: 330_000,
  });
  return {
    clusterName: name,
    kubeconfig,
    ingressAddress: `127.0.0.1:${input.settings.KIND_HTTPS_HOST_PORT}`,
    find: { title: 'looking for the kind cluster', argv: [input.kind, 'get', 'clusters'], timeoutMs: 30_000 },
    create: {
      title: `creating kind cluster ${name}`,
      argv: [input.kind, 'create', 'cluster', '--name', name, '--config', input.kindConfig, '--image', input.nodeImage, '--kubeconfig', kubeconfig, '--wait', '180s'],
      timeoutMs: 900_000,
    },
    reuse: {
      title: `reusing kind cluster ${name}`,
      argv: [input.kind, 'export', 'kubeconfig', '--name', name, '--kubeconfig', kubeconfig],
      timeoutMs: 60_000,
    },
    install: [
      {
        title: 'installing Istio with istioctl (the gateway overlay)',
        argv: [input.istioctl, 'install', '--kubeconfig', kubeconfig, '-f', fixtures.gatewayOverlay, '--skip-confirmation', '--readiness-timeout', '5m0s'],
        timeoutMs: 600_000,
      },
      {
        title: 'deploying httpbin',
        argv: kubectl('apply', '--namespace', HTTPBIN.namespace, '-f', fixtures.httpbin),
        timeoutMs: 60_000,
      },
      rollout(GATEWAY.namespace, 'istiod'),
      rollout(GATEWAY.namespace, GATEWAY.deployment),
      rollout(HTTPBIN.namespace, HTTPBIN.deployment),
    ],
    checkNodePort: {
      title: 'checking the gateway https NodePort',
      argv: kubectl('get', 'service', '--namespace', GATEWAY.namespace, GATEWAY.service, '-o', 'jsonpath={.spec.ports[?(@.name=="https")].nodePort}'),
      timeoutMs: 30_000,
    },
    teardown: { title: `deleting kind cluster ${name}`, argv: [input.kind, 'delete', 'cluster', '--name', name, '--kubeconfig', kubeconfig], timeoutMs: 300_000 },
  };
}

/** The image hub the gateway overlay pins (spec.hub), shown in the dry run. */
export function overlayHub(file = fixtures.gatewayOverlay): string {
  return String(parseDocument(readFileSync(file, 'utf8')).getIn(['spec', 'hub']));
}

/** The host port fixtures/kind/cluster.yaml maps the gateway's https NodePort to. */
export function fixtureHostPort(file = fixtures.kindConfig): number {
  const doc = parseDocument(readFileSync(file, 'utf8'));
  return Number(doc.getIn(['nodes', 0, 'extraPortMappings', 0, 'hostPort']));
}

/**
 * The kind config for these settings: the fixture itself, or (another KIND_HTTPS_HOST_PORT) a copy
 * in the cluster's folder with that host port. `write: false` only names the file (dry run).
 */
export async function kindConfigFor(settings: PlanInput['settings'], write: boolean): Promise<string> {
  if (settings.KIND_HTTPS_HOST_PORT === fixtureHostPort()) return fixtures.kindConfig;
  const target = path.join(clusterDir(settings), 'cluster.yaml');
  if (!write) return target;
  const doc = parseDocument(readFileSync(fixtures.kindConfig, 'utf8'));
  doc.setIn(['nodes', 0, 'extraPortMappings', 0, 'hostPort'], settings.KIND_HTTPS_HOST_PORT);
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, `# written by npm run cluster:up from fixtures/kind/cluster.yaml (KIND_HTTPS_HOST_PORT=${settings.KIND_HTTPS_HOST_PORT})\n${doc.toString()}`);
  return target;
}

/** A command as a person would type it. */
export function shellLine(argv: string[]): string {
  return argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`)).join(' ');
}
