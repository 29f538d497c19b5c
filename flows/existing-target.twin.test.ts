// The `existing` target against the twin: a real API server with Istio installed by the real
// istioctl (the doc's gateway), taken as a user's cluster. One twin for the file (state folder
// CACHE_DIR/twin/state/existing-test), always stopped. Needs root and the built binaries
// (npm run twin:build); never builds.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { loadSettings, UsageError, type Settings } from '../helpers/config';
import { eventually } from '../helpers/eventually';
import {
  apply,
  backupAndReplace,
  connect,
  create,
  deleteObject,
  get,
  isOwned,
  list,
  read,
  replace,
  rolloutStatus,
  type KubeClient,
  type KubeObject,
  type ObjectRef,
} from '../helpers/kube';
import * as websocket from '../helpers/kube/websocket';
import { microTime } from '../helpers/kube/lease';
import { ApiTransport } from '../helpers/kube/transport';
import { StepLedger } from '../suites/runtime/results';
import { secureGatewaysCatalogue } from '../suites/secure-gateways/catalogue';
import { prepareSecureGateways } from '../suites/secure-gateways/context';
import { startTwin, type Twin } from '../twin';
import { cachedControlPlaneBinaries } from '../twin/binaries';
import { binaryPath, type TwinBinary } from '../twin/build';
import { writeEnvoyLauncher } from '../twin/istio/envoy-stand-in';
import { installIstio } from '../twin/istio/install';
import { requireRoot } from '../twin/node/prerequisites';
import { podRunnerPlugin } from '../twin/pods';
import { openExistingContext, startExistingTarget, takeRunLock } from '../targets/existing/index';
import { cleanLeftovers, describeLock } from './cleanup';
import { findGateway } from '../helpers/istio/gateway';
import { consentMarker } from '../targets/existing/guard';
import { httpbinObjects } from '../targets/httpbin';
import { runLedger } from '../helpers/kube/ledgers';

jest.setTimeout(120_000);

const repoRoot = path.resolve(__dirname, '..');
const stateDir = path.join(loadSettings().CACHE_DIR, 'twin', 'state', 'existing-test');
const httpbinRefs: ObjectRef[] = httpbinObjects('default').map((o) => ({ apiVersion: o.apiVersion!, kind: o.kind!, namespace: 'default', name: o.metadata!.name! }));
const lockRef: ObjectRef = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: 'default', name: 'istio-gateway-conformance-lock' };

let twin: Twin | undefined;
let admin: KubeClient;
let work: string;
let kubeconfig: string;
let cacheDir: string;
const started = Date.now();
const lines: string[] = [];
const log = (line: string) => lines.push(line);

/** Settings for a kubeconfig; KUBE_CONTEXT names its current-context unless env sets it ('' leaves it unset). */
function settingsFor(env: Record<string, string> = {}): Settings {
  const file = env.KUBECONFIG ?? kubeconfig;
  const current = (parse(fs.readFileSync(file, 'utf8')) as { 'current-context': string })['current-context'];
  return loadSettings({ KUBECONFIG: kubeconfig, CACHE_DIR: cacheDir, WAIT_BUDGET_MS: '60000', KUBE_CONTEXT: current, ...env });
}

function builtBinary(name: string): string {
  const file = binaryPath(name as TwinBinary);
  if (!fs.existsSync(file)) throw new Error(`${name} is not built: run npm run twin:build`);
  return file;
}

/** A copy of the admin kubeconfig whose context and cluster are renamed (a "production" one). */
function renamedKubeconfig(name: string): string {
  const config = parse(fs.readFileSync(kubeconfig, 'utf8')) as { clusters: Array<{ name: string }>; contexts: Array<{ name: string; context: { cluster: string } }>; 'current-context': string };
  config.clusters[0]!.name = name;
  config.contexts[0]!.name = name;
  config.contexts[0]!.context.cluster = name;
  config['current-context'] = name;
  const file = path.join(work, `${name}.kubeconfig`);
  fs.writeFileSync(file, stringify(config), { mode: 0o600 });
  return file;
}

/** `npm run -s cleanup -- ARGS`, asynchronously (the twin's pod runner lives in this process). */
function npmCleanup(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('npm', ['run', '-s', 'cleanup', '--', ...args], { cwd: repoRoot, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 90_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  requireRoot('the existing-target twin tests');
  const binaries = cachedControlPlaneBinaries();
  const builtOnly = async (names: string[]) => Object.fromEntries(names.map((name) => [name, builtBinary(name)]));
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'igc-existing-'));
  cacheDir = path.join(work, 'cache');
  kubeconfig = path.join(work, 'admin.kubeconfig');
  twin = await startTwin({
    stateDir,
    binaries,
    kubeconfigOut: kubeconfig,
    podRunner: podRunnerPlugin({ stateDir, binaries: builtOnly, standIns: { envoy: writeEnvoyLauncher(path.join(stateDir, 'istio')) } }),
  });
  const istio = await installIstio(twin, { istioctl: builtBinary('istioctl') });
  admin = await connect({ kubeconfigPath: kubeconfig });
  await apply(admin, consentMarker()); // as the twin target does: this run created the cluster
  process.stdout.write(`existing-target twin: started with Istio ${istio.release} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}, 300_000);

afterAll(async () => {
  await twin?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
  process.stdout.write(`existing-target twin tests: ${((Date.now() - started) / 1000).toFixed(1)} s in all\n`);
}, 120_000);

describe('the existing target on the twin', () => {
  test('detects the Istio version, the gateway, its ports and mounts; deploys httpbin where missing and removes only that', async () => {
    const target = await startExistingTarget(settingsFor(), log);
    try {
      expect(target.context).toBe('twin');
      expect(target.allowedBecause).toBe('KUBE_CONTEXT names it and the cluster carries the consent marker ConfigMap default/istio-gateway-conformance-consent');
      expect(target.istio).toEqual({
        version: '1.31-dev',
        versionSource: 'the image tag of istio-system/istiod, docker.io/istio/pilot:1.31-dev',
        istiod: 'istio-system/istiod',
        revision: 'default',
        servesGatewayBecause: "the gateway's control plane istiod.istio-system.svc:15012 (Service istio-system/istiod)",
        networkingVersion: 'networking.istio.io/v1',
      });
      expect(target.gateway).toEqual({
        namespace: 'istio-system',
        service: 'istio-ingressgateway',
        selector: 'ingressgateway',
        deployment: 'istio-system/istio-ingressgateway',
        revision: 'default',
        controlPlaneAddress: 'istiod.istio-system.svc:15012',
        mounts: { certs: true, caCerts: true },
      });
      expect(target.https).toMatchObject({ port: 443, targetPort: '8443', nodePort: 30443, type: 'LoadBalancer', loadBalancer: expect.any(String) });
      expect(target.suiteEnv).toEqual({ KUBE_CONTEXT: 'twin', GATEWAY_NAMESPACE: 'istio-system', GATEWAY_SERVICE: 'istio-ingressgateway' });
      expect(target.httpbin).toEqual({ created: httpbinRefs, found: [] });
      for (const ref of httpbinRefs) expect(isOwned((await read(admin, ref)) as KubeObject)).toBe(true);
      expect(rolloutStatus((await read(admin, httpbinRefs.find((r) => r.kind === 'Deployment')!)) as never).ready).toBe(true);
      expect(((await read(admin, lockRef)) as { spec: { holderIdentity: string } }).spec.holderIdentity).toBe(target.lock.holder);
      expect(lines.join('\n')).toMatch(/mounts istio-ingressgateway-certs and istio-ingressgateway-ca-certs: the file-mount profile \(the doc verbatim\) can run and PROFILE=auto picks it/);
    } finally {
      await target.release();
    }
    for (const ref of [...httpbinRefs, lockRef]) expect(await get(admin, ref)).toBeUndefined();
  });

  test("an httpbin the user deployed is used as it is: only its missing Service is created, and only that is removed", async () => {
    const [serviceAccount, , deployment] = httpbinObjects('default');
    for (const object of [serviceAccount!, deployment!]) await create(admin, object, { stamp: false });
    try {
      const target = await startExistingTarget(settingsFor(), log);
      expect(target.httpbin).toEqual({ created: [httpbinRefs[1]], found: [httpbinRefs[0], httpbinRefs[2]] });
      expect(isOwned((await read(admin, httpbinRefs[1]!)) as KubeObject)).toBe(true);
      await target.release();
      expect(await get(admin, httpbinRefs[1]!)).toBeUndefined();
      for (const ref of [httpbinRefs[0]!, httpbinRefs[2]!]) expect(isOwned((await read(admin, ref)) as KubeObject)).toBe(false);
    } finally {
      for (const ref of [httpbinRefs[2]!, httpbinRefs[0]!]) await deleteObject(admin, ref, { adoptUnowned: true });
    }
  });

  test('refuses a context not named in KUBE_CONTEXT, and a cluster without the consent marker, before it changes anything', async () => {
    const production = renamedKubeconfig('prod-eu');
    const failureOf = (settings: Settings) =>
      startExistingTarget(settings, log).then(
        () => undefined,
        (error: unknown) => error as Error,
      );
    const unnamed = await failureOf(settingsFor({ KUBECONFIG: production, KUBE_CONTEXT: '' }));
    expect(unnamed).toBeInstanceOf(UsageError);
    expect(unnamed?.message).toMatch(/^the existing target uses only a context you name: set KUBE_CONTEXT \(the kubeconfig's current-context is "prod-eu"/);
    const marker = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'istio-gateway-conformance-consent' };
    await deleteObject(admin, marker, { adoptUnowned: true });
    try {
      const unmarked = await failureOf(settingsFor({ KUBECONFIG: production }));
      expect(unmarked).toBeInstanceOf(UsageError);
      expect(unmarked?.message).toMatch(/^context "prod-eu" \(API server https:\/\/[\d.]+:6443\): the cluster has no consent marker .*If this is one, mark it once: kubectl --context prod-eu --namespace default create configmap istio-gateway-conformance-consent /);
      expect(unmarked?.message).not.toContain('\n');
      expect(await get(admin, lockRef)).toBeUndefined();
    } finally {
      await apply(admin, consentMarker());
    }
    const allowed = await openExistingContext(settingsFor({ KUBECONFIG: production }));
    expect(allowed).toMatchObject({ context: 'prod-eu', allowedBecause: 'KUBE_CONTEXT names it and the cluster carries the consent marker ConfigMap default/istio-gateway-conformance-consent' });
  });

  test('a gateway without port 443 is one line; one that does not mount the secrets runs the sds profile, and PROFILE=file-mount is skipped with the reason', async () => {
    // As the Helm gateway chart makes it: an injected istio-proxy, no secret volumes; scaled to 0.
    const namespace = 'helm-gateway';
    const labels = { app: 'istio-ingress', istio: 'ingress' };
    await create(admin, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    await create(admin, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { namespace, name: 'istio-ingress' },
      spec: {
        replicas: 0,
        selector: { matchLabels: labels },
        template: { metadata: { labels, annotations: { 'inject.istio.io/templates': 'gateway' } }, spec: { containers: [{ name: 'istio-proxy', image: 'auto' }] } },
      },
    } as KubeObject);
    const ports = [{ name: 'status-port', port: 15021 }, { name: 'http2', port: 80, targetPort: 8080 }];
    await create(admin, { apiVersion: 'v1', kind: 'Service', metadata: { namespace, name: 'istio-ingress' }, spec: { type: 'ClusterIP', selector: labels, ports } } as KubeObject);

    const noHttps = await startExistingTarget(settingsFor({ GATEWAY_NAMESPACE: namespace }), log).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(noHttps).toBeInstanceOf(UsageError);
    expect((noHttps as Error).message).toBe(
      "Service helm-gateway/istio-ingress has no port named https or numbered 443 (its ports: status-port 15021/TCP, http2 80/TCP): is this the ingress gateway's Service?",
    );
    expect(await get(admin, lockRef)).toBeUndefined();

    const service = (await read(admin, { apiVersion: 'v1', kind: 'Service', namespace, name: 'istio-ingress' })) as KubeObject & { spec: { ports: object[] } };
    service.spec.ports.push({ name: 'https', port: 443, targetPort: 8443 });
    await replace(admin, service);
    const { facts, https } = await findGateway(admin, { namespace });
    expect(facts).toEqual({ namespace, service: 'istio-ingress', selector: 'ingress', deployment: `${namespace}/istio-ingress`, revision: 'default', mounts: { certs: false, caCerts: false } });
    expect(https).toMatchObject({ port: 443, targetPort: '8443', type: 'ClusterIP' });

    const suiteEnv = { ...process.env, KUBECONFIG: kubeconfig, CACHE_DIR: cacheDir, GATEWAY_NAMESPACE: namespace, GATEWAY_SERVICE: 'istio-ingress' };
    const auto = await prepareSecureGateways({ ...suiteEnv, PROFILE: 'auto' });
    fs.rmSync(auto.certDir, { recursive: true, force: true });
    expect(auto).toMatchObject({ profile: 'sds', gatewayService: 'istio-ingress', names: { gatewayNamespace: namespace, gatewaySelector: 'ingress' } });
    expect(auto.profileReason).toMatch(/^PROFILE=auto and helm-gateway\/istio-ingress mounts neither istio-ingressgateway-certs nor istio-ingressgateway-ca-certs/);

    // PROFILE=file-mount: preparing fails with the reason, and the runtime reports every step skipped with it.
    const forced = await prepareSecureGateways({ ...suiteEnv, PROFILE: 'file-mount' }).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(forced?.message).toMatch(/^PROFILE=file-mount needs a gateway that mounts the doc's two secrets, and helm-gateway\/istio-ingress mounts neither/);
    const ledger = new StepLedger(secureGatewaysCatalogue, { stopAtFirstFailure: false });
    ledger.preparationFailed(forced!.message);
    const t2 = secureGatewaysCatalogue.find((step) => step.id === 'SG-T2')!;
    expect(ledger.skipReason(t2, undefined)).toBe(`the target could not be prepared: ${forced!.message}`);
  });

  test('two runs do not collide: the second refuses with one line, or waits for the lock with LOCK_WAIT_MS', async () => {
    const first = await startExistingTarget(settingsFor(), log);
    let firstReleased = false;
    try {
      const refused = await startExistingTarget(settingsFor(), log).then(
        () => undefined,
        (error: unknown) => error as Error,
      );
      expect(refused).toBeInstanceOf(UsageError);
      expect(refused?.message).toMatch(
        new RegExp(`^another run holds the lock Lease default/istio-gateway-conformance-lock: holder "${first.lock.holder}", .*; or set LOCK_WAIT_MS to wait for it$`),
      );
      // the refused run changed nothing: the first run's httpbin is still there
      expect(isOwned((await read(admin, httpbinRefs[2]!)) as KubeObject)).toBe(true);

      const waiting = startExistingTarget(settingsFor({ LOCK_WAIT_MS: '60000' }), log);
      await delay(1_500);
      await first.release();
      firstReleased = true;
      const second = await waiting;
      expect(second.lock.holder).not.toBe(first.lock.holder);
      await second.release();
    } finally {
      if (!firstReleased) await first.release();
    }
    expect(await get(admin, lockRef)).toBeUndefined();
  });

  test('npm run cleanup: puts back what a run replaced, deletes what carries the label, leaves the rest; a dry run changes nothing', async () => {
    const networking = 'networking.istio.io/v1';
    const secret = (name: string, value: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'istio-system', name }, data: { owner: Buffer.from(value).toString('base64') } });
    const made: ObjectRef[] = [
      { apiVersion: 'v1', kind: 'Secret', namespace: 'istio-system', name: 'istio-ingressgateway-ca-certs' },
      { apiVersion: 'v1', kind: 'Secret', namespace: 'istio-system', name: 'istio-ingressgateway-certs' },
      { apiVersion: networking, kind: 'Gateway', namespace: 'default', name: 'httpbin-gateway' },
      { apiVersion: networking, kind: 'VirtualService', namespace: 'default', name: 'httpbin' },
      httpbinRefs[1]!,
      lockRef,
    ];
    try {
      // The user's own CA secret and VirtualService, under the doc's names.
      await create(admin, secret('istio-ingressgateway-ca-certs', 'user'), { stamp: false });
      const usersVirtualService = { apiVersion: networking, kind: 'VirtualService', metadata: { namespace: 'default', name: 'httpbin' }, spec: { hosts: ['mine.example.com'], http: [{ route: [{ destination: { host: 'mine' } }] }] } };
      await create(admin, usersVirtualService, { stamp: false });
      // An interrupted run: it replaced the user's secret and created one (both in its ledger on
      // disk), and created a Gateway and httpbin's Service; its lock expired.
      const runKube = await connect({ kubeconfigPath: kubeconfig });
      const ledger = runLedger(cacheDir, runKube.server, runKube.runId);
      await backupAndReplace(runKube, secret('istio-ingressgateway-ca-certs', 'suite'), ledger);
      await backupAndReplace(runKube, secret('istio-ingressgateway-certs', 'suite'), ledger);
      await create(runKube, { apiVersion: networking, kind: 'Gateway', metadata: { namespace: 'default', name: 'httpbin-gateway' }, spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['x.example.com'] }] } });
      await create(runKube, httpbinObjects('default')[1]!);
      const longAgo = microTime(new Date(Date.now() - 600_000));
      await create(runKube, { apiVersion: lockRef.apiVersion, kind: 'Lease', metadata: { namespace: 'default', name: lockRef.name }, spec: { holderIdentity: 'gone/1/run', leaseDurationSeconds: 60, acquireTime: longAgo, renewTime: longAgo } } as KubeObject);
      expect(fs.statSync(ledger.file!).mode & 0o777).toBe(0o600);

      // --dry-run (what the script prints, line by line): changes nothing.
      expect(await describeLock(admin)).toBe('would take over the expired lock of "gone/1/run" and delete it');
      const dry = await cleanLeftovers(admin, { cacheDir, gatewayNamespace: 'istio-system', dryRun: true });
      expect(dry).toEqual({
        deleted: 3,
        restored: 1,
        left: 1,
        lines: [
          // the ledger is played back newest first
          `would delete Secret istio-system/istio-ingressgateway-certs (created by run ${runKube.runId})`,
          `would restore Secret istio-system/istio-ingressgateway-ca-certs as it was before run ${runKube.runId} replaced it`,
          `would delete Gateway default/httpbin-gateway (left by run ${runKube.runId})`,
          "would leave VirtualService default/httpbin: it lacks the label app.kubernetes.io/managed-by=istio-gateway-conformance, so it is not the suite's",
          `would delete Service default/httpbin (left by run ${runKube.runId})`,
        ],
      });
      expect(await get(admin, { apiVersion: networking, kind: 'Gateway', namespace: 'default', name: 'httpbin-gateway' })).toBeDefined();
      expect(await get(admin, lockRef)).toBeDefined();

      const real = await npmCleanup([], { KUBECONFIG: kubeconfig, KUBE_CONTEXT: 'twin', CACHE_DIR: cacheDir });
      expect(real).toMatchObject({ code: 0, stderr: '' });
      expect(real.stdout).toContain(`cleanup: Secret istio-system/istio-ingressgateway-ca-certs: restored as it was before the suite replaced it (run ${runKube.runId})`);
      expect(real.stdout).toContain(`cleanup: deleted Gateway default/httpbin-gateway (left by run ${runKube.runId})`);
      expect(real.stdout).toContain('cleanup: 3 deleted, 1 restored, 1 left alone');
      const caSecret = (await read(admin, { apiVersion: 'v1', kind: 'Secret', namespace: 'istio-system', name: 'istio-ingressgateway-ca-certs' })) as KubeObject & { data: { owner: string } };
      expect([isOwned(caSecret), Buffer.from(caSecret.data.owner, 'base64').toString()]).toEqual([false, 'user']);
      for (const ref of [
        { apiVersion: 'v1', kind: 'Secret', namespace: 'istio-system', name: 'istio-ingressgateway-certs' },
        { apiVersion: networking, kind: 'Gateway', namespace: 'default', name: 'httpbin-gateway' },
        httpbinRefs[1]!,
        lockRef,
      ]) {
        expect(await get(admin, ref)).toBeUndefined();
      }
      const virtualService = (await read(admin, { apiVersion: networking, kind: 'VirtualService', namespace: 'default', name: 'httpbin' })) as KubeObject & { spec: { hosts: string[] } };
      expect([isOwned(virtualService), virtualService.spec.hosts]).toEqual([false, ['mine.example.com']]);
      expect(fs.existsSync(ledger.file!)).toBe(false);

      // Nothing left: a second cleanup says so.
      const again = await cleanLeftovers(admin, { cacheDir, gatewayNamespace: 'istio-system' });
      expect(again).toMatchObject({ deleted: 0, restored: 0, left: 2 });
    } finally {
      // whatever happened above, the next tests start from a clean cluster
      for (const ref of made) await deleteObject(admin, ref, { adoptUnowned: true });
      fs.rmSync(path.join(cacheDir, 'backups'), { recursive: true, force: true });
    }
  });
});

// ---- RBAC: the shipped roles are enough for the whole catalogue, and each of their rules is needed.

const rbacFile = path.join(repoRoot, 'fixtures', 'rbac', 'istio-gateway-conformance.yaml');
const serviceAccount = { namespace: 'default', name: 'istio-gateway-conformance' };
const saUser = `system:serviceaccount:${serviceAccount.namespace}:${serviceAccount.name}`;

interface Attributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/** Pure: the authorization attributes of an API request, as the API server derives them; undefined for non-resource paths. */
function attributesOf(method: string, url: string, websocketUpgrade = false): Attributes | undefined {
  const segments = url.split('?')[0]!.split('/').filter(Boolean);
  let rest: string[];
  let group: string;
  if (segments[0] === 'api' && segments.length > 2) [group, rest] = ['', segments.slice(2)];
  else if (segments[0] === 'apis' && segments.length > 3) [group, rest] = [segments[1]!, segments.slice(3)];
  else return undefined; // discovery, /version: granted to every authenticated user
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length > 2) [namespace, rest] = [rest[1], rest.slice(2)];
  const [resource, name, subresource] = rest;
  const verbs: Record<string, string> = { GET: name ? 'get' : 'list', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: name ? 'delete' : 'deletecollection' };
  // API servers from 1.30 authorize a websocket exec (a GET upgrade) as create.
  const verb = websocketUpgrade ? 'create' : verbs[method]!;
  return { verb, group, resource: resource!, subresource, namespace, name };
}

async function allowed(attributes: Attributes): Promise<boolean> {
  const review = await admin.transport.request<{ status: { allowed: boolean } }>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
    body: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: { user: saUser, groups: ['system:serviceaccounts', `system:serviceaccounts:${serviceAccount.namespace}`, 'system:authenticated'], resourceAttributes: attributes },
    },
  });
  return review.status.allowed;
}

const describeAttributes = (a: Attributes) =>
  `${a.verb} ${a.group ? `${a.group}/` : ''}${a.resource}${a.subresource ? `/${a.subresource}` : ''}${a.namespace ? ` in ${a.namespace}` : ''}${a.name ? ` ${a.name}` : ''}`;

describe('the shipped RBAC (fixtures/rbac) on the twin', () => {
  let saKubeconfig: string;
  const recorded = new Map<string, Attributes>();
  /** Puts these rules into the shipped role on the cluster. */
  const setRules = async (role: KubeObject, rules: object[]) => {
    const current = await read(admin, { apiVersion: role.apiVersion!, kind: role.kind!, namespace: role.metadata?.namespace, name: role.metadata!.name! });
    await replace(admin, { ...current, rules } as KubeObject);
  };
  const roles = () =>
    parseAllDocuments(fs.readFileSync(rbacFile, 'utf8'))
      .map((d) => d.toJS() as KubeObject & { rules?: object[] })
      .filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole');

  beforeAll(async () => {
    for (const document of parseAllDocuments(fs.readFileSync(rbacFile, 'utf8'))) await apply(admin, document.toJS() as KubeObject);
    const token = await admin.transport.request<{ status: { token: string } }>('POST', `/api/v1/namespaces/${serviceAccount.namespace}/serviceaccounts/${serviceAccount.name}/token`, {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
    });
    const cluster = admin.kubeConfig.getCurrentCluster()!;
    const caData = (parse(fs.readFileSync(kubeconfig, 'utf8')) as { clusters: Array<{ cluster: Record<string, string> }> }).clusters[0]!.cluster['certificate-authority-data'];
    saKubeconfig = path.join(work, 'rbac.kubeconfig');
    fs.writeFileSync(
      saKubeconfig,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'twin-rbac', cluster: { server: cluster.server, 'certificate-authority-data': caData } }],
        users: [{ name: serviceAccount.name, user: { token: token.status.token } }],
        contexts: [{ name: 'twin-rbac', context: { cluster: 'twin-rbac', user: serviceAccount.name } }],
        'current-context': 'twin-rbac',
      }),
      { mode: 0o600 },
    );
  });

  test('the whole catalogue, the target and cleanup run as the ServiceAccount', async () => {
    const isServiceAccount = (user: string | undefined) => user === serviceAccount.name;
    // client-node's makeApiClient keeps the KubeConfig as the transport's auth method: its user says whose request it is.
    type Auth = { configuration: { authMethods: { default?: { getCurrentUser?: () => { name: string } | null } } } };
    const userOf = (transport: ApiTransport) => (transport as unknown as Auth).configuration.authMethods.default?.getCurrentUser?.()?.name;
    const record = (attributes: Attributes | undefined) => attributes && recorded.set(JSON.stringify(attributes), attributes);
    const original = ApiTransport.prototype.request;
    const requestSpy = jest.spyOn(ApiTransport.prototype, 'request').mockImplementation(function (this: ApiTransport, method, url, options) {
      if (isServiceAccount(userOf(this))) record(attributesOf(method, url));
      return original.call(this, method, url, options) as never;
    });
    const originalConnector = websocket.websocketConnector;
    const connectorSpy = jest.spyOn(websocket, 'websocketConnector').mockImplementation((kube, verb, target, timeoutMs) => {
      const connector = originalConnector(kube, verb, target, timeoutMs);
      return {
        connect: (url: string, text: unknown, binary: Parameters<typeof connector.connect>[2]) => {
          if (isServiceAccount(kube.kubeConfig.getCurrentUser()?.name)) record(attributesOf('GET', url, true));
          return connector.connect(url, text, binary);
        },
      };
    });
    try {
      const settings = settingsFor({ KUBECONFIG: saKubeconfig });
      const target = await startExistingTarget(settings, log);
      expect(target.context).toBe('twin-rbac');
      let results;
      try {
        const context = await prepareSecureGateways({ ...process.env, KUBECONFIG: saKubeconfig, CACHE_DIR: cacheDir, WAIT_BUDGET_MS: '60000', ...target.suiteEnv });
        const steps = new StepLedger(secureGatewaysCatalogue, { stopAtFirstFailure: false });
        for (const step of secureGatewaysCatalogue) {
          const reason = steps.skipReason(step, context);
          if (reason) steps.recordSkip(step, reason);
          else await steps.run(step, context).catch(() => undefined);
        }
        fs.rmSync(context.certDir, { recursive: true, force: true });
        results = steps.report();
      } finally {
        await target.release();
      }
      expect(results.filter((r) => r.status === 'failed').map((r) => `${r.id}: ${r.observed}`)).toEqual([]);
      expect(results.filter((r) => r.status === 'passed')).toHaveLength(28);
      // npm run cleanup's operations (nothing is left to remove by now)
      const opened = await openExistingContext(settings);
      const lock = await takeRunLock(opened.kube, 0, log);
      expect(await cleanLeftovers(opened.kube, { cacheDir, gatewayNamespace: 'istio-system' })).toMatchObject({ deleted: 0, restored: 0, left: 0 });
      await lock.release();
      // SG-B2 on a gateway without a LoadBalancer address (the twin's has one) lists the nodes.
      await list(opened.kube, { apiVersion: 'v1', kind: 'Node' });
    } finally {
      requestSpy.mockRestore();
      connectorSpy.mockRestore();
    }
    const all = [...recorded.values()];
    const described = all.map(describeAttributes);
    for (const expected of [/^create pods\/exec in istio-system istio-ingressgateway-/, /^get pods\/log in istio-system istio-ingressgateway-/, /^create secrets in istio-system$/, /^update networking.istio.io\/gateways in default httpbin-gateway$/]) {
      expect(described).toContainEqual(expect.stringMatching(expected));
    }
    const denied = [];
    for (const attributes of all) if (!(await allowed(attributes))) denied.push(describeAttributes(attributes));
    expect(denied).toEqual([]);
    process.stdout.write(`RBAC: ${all.length} distinct requests of the ServiceAccount, all allowed\n`);
  });

  test('without any one rule, something the suite did is refused', async () => {
    expect(recorded.size).toBeGreaterThan(0);
    const all = [...recorded.values()];
    const deniedOf = async (attributes: Attributes[]) => {
      const verdicts = await Promise.all(attributes.map((a) => allowed(a)));
      return attributes.filter((_, index) => !verdicts[index]);
    };
    const unneeded: string[] = [];
    const needs: string[] = [];
    for (const role of roles()) {
      for (const [index, rule] of role.rules!.entries()) {
        await setRules(role, role.rules!.filter((_, i) => i !== index));
        let denied: Attributes[] = [];
        try {
          // The authorizer sees a change within moments; a rule nothing needs never shows a refusal.
          denied = await eventually(() => deniedOf(all), (refused) => refused.length > 0, { budgetMs: 3_000, converge: 1, initialDelayMs: 50 });
          needs.push(`${role.metadata!.name}[${index}]: ${denied.map(describeAttributes).join('; ')}`);
        } catch {
          unneeded.push(`${role.kind} ${role.metadata!.name} rule ${index}: ${JSON.stringify(rule)}`);
        } finally {
          await setRules(role, role.rules!);
          // only what this rule grants changed: wait until that is allowed again
          await eventually(() => deniedOf(denied), (refused) => refused.length === 0, { budgetMs: 10_000, converge: 1, initialDelayMs: 50 });
        }
      }
    }
    process.stdout.write(`RBAC: without each rule, refused:\n  ${needs.join('\n  ')}\n`);
    expect(unneeded).toEqual([]);
  });

  test('a run whose Role lacks the lease rule stops with one line, and changes nothing', async () => {
    const app = roles().find((r) => r.metadata?.name === 'istio-gateway-conformance-app')!;
    const rules = app.rules as Array<{ resources: string[]; verbs: string[] }>;
    await setRules(app, rules.filter((rule) => !(rule.resources.includes('leases') && rule.verbs.includes('create'))));
    try {
      const createLease = { verb: 'create', group: 'coordination.k8s.io', resource: 'leases', namespace: 'default' };
      await eventually(() => allowed(createLease), (yes) => !yes, { budgetMs: 10_000, converge: 1, initialDelayMs: 50 });
      const failure = await startExistingTarget(settingsFor({ KUBECONFIG: saKubeconfig }), log).then(
        () => undefined,
        (error: unknown) => error as Error,
      );
      expect(failure?.message).toMatch(/^create Lease default\/istio-gateway-conformance-lock: 403 Forbidden: .*system:serviceaccount:default:istio-gateway-conformance.* cannot create resource "leases"/);
      expect(failure?.message).not.toContain('\n');
      for (const ref of httpbinRefs) expect(await get(admin, ref)).toBeUndefined();
    } finally {
      await setRules(app, rules);
    }
  });
});
