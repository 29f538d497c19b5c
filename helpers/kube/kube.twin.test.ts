// helpers/kube against a real API server: one twin (real kube-apiserver, etcd, controller-manager,
// kwok) for the whole file, started from the cached binaries (never built here: that is
// `npm run twin:build`'s job) and always stopped. Every operation and every error path the
// catalogue relies on is exercised for real: nothing of the API is mocked.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { stringify } from 'yaml';
import { UsageError } from '../config';
import { eventually, EventuallyTimeout } from '../eventually';
import { startTwin, type Twin } from '../../twin';
import { cachedControlPlaneBinaries } from '../../twin/binaries';
import { binaryPath, type TwinBinary } from '../../twin/build';
import { podRunnerPlugin } from '../../twin/pods';
import { requireRoot } from '../../twin/node/prerequisites';
import { backupAndReplace, BackupLedger, restore } from './backup';
import { connect, loadKubeConfig, type KubeClient } from './connect';
import { waitForDeployment } from './deployment';
import { exec } from './exec';
import { logs } from './logs';
import { portForward } from './portforward';
import { hasReason, KubeApiError } from './errors';
import { ingressAddress } from './ingress';
import { acquireLease, LeaseHeldError, LeaseLostError, type Lease } from './lease';
import { apply, create, deleteObject, get, list, read, replace } from './objects';
import { FIELD_MANAGER, MANAGED_BY_LABEL, OwnershipError, ownedSelector, RUN_LABEL } from './ownership';
import { ApiTransport } from './transport';
import type { KubeObject } from './types';

// Operations take milliseconds; the waits (LoadBalancer address, pod readiness, lease expiry) more.
jest.setTimeout(60_000);

const ns = 'kube-helpers';
let twin: Twin;
let kube: KubeClient;
let stateDir: string;
const started = Date.now();

beforeAll(async () => {
  requireRoot('the twin tests');
  const binaries = cachedControlPlaneBinaries(); // a UsageError naming `npm run twin:build` when not built
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'igc-kube-'));
  // The pod runner may only use binaries that are built already: a test never starts a Go build.
  const builtOnly = async (names: string[]) =>
    Object.fromEntries(
      names.map((name) => {
        const file = binaryPath(name as TwinBinary);
        if (!fs.existsSync(file)) throw new Error(`${name} is not built: run npm run twin:build`);
        return [name, file];
      }),
    );
  twin = await startTwin({
    stateDir,
    binaries,
    kubeconfigOut: path.join(stateDir, 'kubeconfig'),
    podRunner: podRunnerPlugin({ stateDir, binaries: builtOnly }),
  });
  process.stdout.write(`twin for helpers/kube: started in ${(twin.totalMs / 1000).toFixed(1)} s, kubelet-stream ${twin.kubeletStream}\n`);
  kube = await connect({ kubeconfigPath: twin.kubeconfig });
  await create(kube, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
}, 240_000);

afterAll(async () => {
  await twin?.stop();
  if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
  process.stdout.write(`helpers/kube twin tests: ${((Date.now() - started) / 1000).toFixed(1)} s in all\n`);
}, 120_000);

/** What the promise rejected with (fails the test if it resolved). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a failure, got ${inspect(outcome.value, { depth: 2 })}`);
  expect(outcome.error).toBeInstanceOf(Error);
  expect((outcome.error as Error).message).not.toContain('\n');
  return outcome.error as Error;
}

const configMap = (name: string, data: Record<string, string>, labels?: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns, ...(labels ? { labels } : {}) },
  data,
});
type ConfigMap = ReturnType<typeof configMap> & KubeObject;
const ref = (kind: string, name: string, apiVersion = 'v1') => ({ apiVersion, kind, namespace: ns, name });

/** A kubeconfig for a ServiceAccount of the test namespace, with a token from the TokenRequest API. */
async function serviceAccountClient(name: string): Promise<KubeClient> {
  await create(kube, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } });
  const review = await kube.transport.request<{ status: { token: string } }>('POST', `/api/v1/namespaces/${ns}/serviceaccounts/${name}/token`, {
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 600 } },
  });
  const cluster = kube.kubeConfig.getCurrentCluster()!;
  const file = path.join(stateDir, `${name}.kubeconfig`);
  fs.writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'twin', cluster: { server: cluster.server, 'certificate-authority-data': cluster.caData } }],
      users: [{ name, user: { token: review.status.token } }],
      contexts: [{ name, context: { cluster: 'twin', user: name, namespace: ns } }],
      'current-context': name,
    }),
    { mode: 0o600 },
  );
  return connect({ kubeconfigPath: file }); // /version is public
}

describe('connect', () => {
  test('names the context, the server and its version', () => {
    expect(kube.context).toBe('twin');
    expect(kube.server).toBe(`https://${twin.node.address}:6443`);
    expect(kube.serverVersion).toBe(twin.kubeVersion);
  });
});

describe('create, get, read', () => {
  test('create labels the object with the suite and the run; a second create is AlreadyExists', async () => {
    const made = await create(kube, configMap('created', { a: '1' }));
    expect(made.metadata.labels).toEqual({ [MANAGED_BY_LABEL]: 'istio-gateway-conformance', [RUN_LABEL]: kube.runId });
    const error = await rejection(create(kube, configMap('created', { a: '2' })));
    expect(hasReason(error, 'AlreadyExists')).toBe(true);
    expect(error.message).toBe(`create ConfigMap ${ns}/created: 409 AlreadyExists: configmaps "created" already exists`);
    expect((error as KubeApiError).status?.details?.name).toBe('created');
  });

  test('get gives undefined for a missing object; read says NotFound in one line', async () => {
    expect(await get(kube, ref('ConfigMap', 'missing'))).toBeUndefined();
    const error = await rejection(read(kube, ref('ConfigMap', 'missing')));
    expect(error.message).toBe(`get ConfigMap ${ns}/missing: 404 NotFound: configmaps "missing" not found`);
    expect((await read<ConfigMap>(kube, ref('ConfigMap', 'created'))).data).toEqual({ a: '1' });
  });

  test('a namespace that does not exist is NotFound too', async () => {
    const error = await rejection(create(kube, { ...configMap('x', {}), metadata: { name: 'x', namespace: 'no-such-namespace' } }));
    expect(error.message).toBe('create ConfigMap no-such-namespace/x: 404 NotFound: namespaces "no-such-namespace" not found');
  });
});

describe('apply (server-side)', () => {
  test('creates, then updates, as field manager istio-gateway-conformance', async () => {
    await apply(kube, configMap('applied', { a: '1' }));
    const updated = await apply(kube, configMap('applied', { a: '2', b: '3' }));
    expect(updated.data).toEqual({ a: '2', b: '3' });
    const managers = ((updated as KubeObject).metadata?.managedFields as { manager: string; operation: string }[]).map((m) => `${m.manager}/${m.operation}`);
    expect(managers).toEqual([`${FIELD_MANAGER}/Apply`]);
    expect(updated.metadata.labels?.[RUN_LABEL]).toBe(kube.runId);
  });

  test('a field another manager owns is a Conflict unless forced', async () => {
    // Someone else (an Update by another manager) takes field `a`.
    const current = await read<ConfigMap>(kube, ref('ConfigMap', 'applied'));
    await kube.transport.request('PUT', `/api/v1/namespaces/${ns}/configmaps/applied`, {
      query: { fieldManager: 'someone-else' },
      body: { ...current, data: { ...current.data, a: 'theirs' } },
    });
    const error = await rejection(apply(kube, configMap('applied', { a: 'ours', b: '3' })));
    expect(hasReason(error, 'Conflict')).toBe(true);
    expect(error.message).toMatch(/^apply ConfigMap kube-helpers\/applied: 409 Conflict: Apply failed with 1 conflict: conflict with "someone-else"/);
    expect((await apply(kube, configMap('applied', { a: 'ours', b: '3' }), { force: true })).data?.a).toBe('ours');
  });

  test('refuses to write over an object the suite did not create', async () => {
    await create(kube, configMap('theirs', { owner: 'user' }), { stamp: false });
    const error = await rejection(apply(kube, configMap('theirs', { owner: 'suite' })));
    expect(error).toBeInstanceOf(OwnershipError);
    expect(error.message).toBe(
      `refusing to apply ConfigMap ${ns}/theirs: it lacks the label app.kubernetes.io/managed-by=istio-gateway-conformance, so the suite did not create it; pass adoptUnowned to apply it anyway, or back it up first with backupAndReplace`,
    );
    expect((await read<ConfigMap>(kube, ref('ConfigMap', 'theirs'))).data).toEqual({ owner: 'user' });
  });
});

describe('replace', () => {
  test('takes the current resourceVersion when the object names none', async () => {
    await create(kube, configMap('replaced', { v: '1' }));
    expect((await replace(kube, configMap('replaced', { v: '2' }))).data).toEqual({ v: '2' });
  });

  test('a stale resourceVersion is a Conflict', async () => {
    const old = await read<ConfigMap>(kube, ref('ConfigMap', 'replaced'));
    await replace(kube, configMap('replaced', { v: '3' }));
    const error = await rejection(replace(kube, { ...old, data: { v: 'stale' } }));
    expect(hasReason(error, 'Conflict')).toBe(true);
    expect(error.message).toBe(
      `replace ConfigMap ${ns}/replaced: 409 Conflict: Operation cannot be fulfilled on configmaps "replaced": the object has been modified; please apply your changes to the latest version and try again`,
    );
    expect((await read<ConfigMap>(kube, ref('ConfigMap', 'replaced'))).data).toEqual({ v: '3' });
  });

  test('replace of a missing object is NotFound', async () => {
    expect((await rejection(replace(kube, configMap('never-made', {})))).message).toBe(`replace ConfigMap ${ns}/never-made: 404 NotFound: configmaps "never-made" not found`);
  });
});

describe('Invalid, with the field causes', () => {
  test('a built-in kind', async () => {
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'bad-ports', namespace: ns },
      spec: { ports: [{ name: 'https', port: 70000, targetPort: 8443 }, { name: 'https', port: 443, targetPort: 8443 }] },
    };
    const error = await rejection(create(kube, service));
    expect(hasReason(error, 'Invalid')).toBe(true);
    expect((error as KubeApiError).code).toBe(422);
    expect(error.message).toMatch(new RegExp(`^create Service ${ns}/bad-ports: 422 Invalid: spec\\.ports\\[0\\]\\.port: Invalid value: 70000: must be between 1 and 65535, inclusive; spec\\.ports\\[1\\]\\.name: Duplicate value: "https"`));
  });
});

// A stand-in of Istio's Gateway CRD, enough of its schema to show what the suites rely on: a
// custom kind found through discovery once its CRD is served, and the schema's validation.
const gatewayCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'gateways.networking.istio.io' },
  spec: {
    group: 'networking.istio.io',
    names: { kind: 'Gateway', plural: 'gateways', singular: 'gateway', listKind: 'GatewayList', shortNames: ['gw'] },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: {
                  selector: { type: 'object', additionalProperties: { type: 'string' } },
                  servers: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['port', 'hosts'],
                      properties: {
                        port: { type: 'object', properties: { number: { type: 'integer' }, name: { type: 'string' }, protocol: { type: 'string' } } },
                        hosts: { type: 'array', items: { type: 'string' } },
                        tls: {
                          type: 'object',
                          properties: {
                            mode: { type: 'string', enum: ['PASSTHROUGH', 'SIMPLE', 'MUTUAL', 'AUTO_PASSTHROUGH', 'ISTIO_MUTUAL', 'OPTIONAL_MUTUAL'] },
                            serverCertificate: { type: 'string' },
                            privateKey: { type: 'string' },
                            caCertificates: { type: 'string' },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ],
  },
};

function gateway(mode: string): KubeObject & { spec: unknown } {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name: 'httpbin-gateway', namespace: ns },
    spec: {
      selector: { istio: 'ingressgateway' },
      servers: [
        {
          port: { number: 443, name: 'https', protocol: 'HTTPS' },
          tls: { mode, serverCertificate: '/etc/istio/ingressgateway-certs/tls.crt', privateKey: '/etc/istio/ingressgateway-certs/tls.key' },
          hosts: ['httpbin.example.com'],
        },
      ],
    },
  };
}

describe('a custom kind (the Gateway CRD)', () => {
  test('before its CRD is served, one line says so', async () => {
    const error = await rejection(apply(kube, gateway('SIMPLE')));
    expect(hasReason(error, 'NotServed')).toBe(true);
    expect(error.message).toBe(`apply Gateway ${ns}/httpbin-gateway: NotServed: the API server does not serve networking.istio.io/v1 (is the CRD or API group installed?)`);
  });

  test('once served, apply, replace, get, list and delete work on it as on any kind', async () => {
    await create(kube, gatewayCrd);
    await eventually(
      () => read<KubeObject & { status?: { conditions?: { type: string; status: string }[] } }>(kube, { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: gatewayCrd.metadata.name }),
      (crd) => crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false,
      { budgetMs: 30_000, converge: 1, expectation: 'the Gateway CRD established' },
    );
    // Discovery can lag the Established condition by a moment.
    const applied = await eventually(() => apply(kube, gateway('SIMPLE')), () => true, { budgetMs: 30_000, converge: 1, expectation: 'the Gateway applied' });
    expect((applied.spec as { servers: { tls: { mode: string } }[] }).servers[0]!.tls.mode).toBe('SIMPLE');
    // SG-M2: the doc replaces the Gateway with mode MUTUAL.
    const mutual = gateway('MUTUAL');
    await replace(kube, mutual);
    const stored = await read<KubeObject & { spec: { servers: { tls: { mode: string } }[] } }>(kube, ref('Gateway', 'httpbin-gateway', 'networking.istio.io/v1'));
    expect(stored.spec.servers[0]!.tls.mode).toBe('MUTUAL');
    expect((await list(kube, { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', namespace: ns })).map((g) => g.metadata?.name)).toEqual(['httpbin-gateway']);
    expect(await deleteObject(kube, ref('Gateway', 'httpbin-gateway', 'networking.istio.io/v1'))).toBe('deleted');
    expect(await get(kube, ref('Gateway', 'httpbin-gateway', 'networking.istio.io/v1'))).toBeUndefined();
  });

  test("the CRD's schema rejects a wrong field with the field's path", async () => {
    const error = await rejection(create(kube, gateway('SIMPEL')));
    expect(hasReason(error, 'Invalid')).toBe(true);
    expect(error.message).toBe(
      `create Gateway ${ns}/httpbin-gateway: 422 Invalid: spec.servers[0].tls.mode: Unsupported value: "SIMPEL": supported values: "PASSTHROUGH", "SIMPLE", "MUTUAL", "AUTO_PASSTHROUGH", "ISTIO_MUTUAL", "OPTIONAL_MUTUAL"`,
    );
  });
});

describe('list', () => {
  test('by labels, by selector string, by the run, and a cluster-scoped kind', async () => {
    await create(kube, configMap('listed-1', {}, { app: 'listed' }));
    await create(kube, configMap('listed-2', {}, { app: 'listed', tier: 'x' }));
    await create(kube, configMap('listed-3', {}, { app: 'other' }));
    const names = (items: KubeObject[]) => items.map((item) => item.metadata?.name).sort();
    expect(names(await list(kube, { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, labels: { app: 'listed' } }))).toEqual(['listed-1', 'listed-2']);
    expect(names(await list(kube, { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, labels: 'app=listed,tier!=x' }))).toEqual(['listed-1']);
    const ours = await list(kube, { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, labels: ownedSelector(kube.runId) });
    expect(names(ours)).toEqual(expect.arrayContaining(['listed-1', 'listed-2', 'listed-3', 'created']));
    expect(names(ours)).not.toContain('theirs');
    expect(ours[0]).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
    expect(names(await list(kube, { apiVersion: 'v1', kind: 'Namespace', labels: ownedSelector(kube.runId) }))).toEqual([ns]);
  });

  test('a bad selector is one line from the server', async () => {
    const error = await rejection(list(kube, { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, labels: 'app in x' }));
    expect(error.message).toMatch(/^list ConfigMap kube-helpers \(app in x\): 400 BadRequest: unable to parse requirement: /);
  });
});

describe('delete', () => {
  test('deletes the suite’s object and waits until it is gone; a missing one is not an error', async () => {
    await create(kube, configMap('doomed', {}));
    expect(await deleteObject(kube, ref('ConfigMap', 'doomed'))).toBe('deleted');
    expect(await get(kube, ref('ConfigMap', 'doomed'))).toBeUndefined();
    expect(await deleteObject(kube, ref('ConfigMap', 'doomed'))).toBe('absent');
  });

  test('refuses an object without the managed-by label unless adopted explicitly', async () => {
    await create(kube, configMap('users-own', { keep: 'me' }), { stamp: false });
    const error = await rejection(deleteObject(kube, ref('ConfigMap', 'users-own')));
    expect(error).toBeInstanceOf(OwnershipError);
    expect(error.message).toContain(`refusing to delete ConfigMap ${ns}/users-own: it lacks the label app.kubernetes.io/managed-by=istio-gateway-conformance`);
    expect(await get(kube, ref('ConfigMap', 'users-own'))).toBeDefined();
    expect(await deleteObject(kube, ref('ConfigMap', 'users-own'), { adoptUnowned: true })).toBe('deleted');
    expect(await get(kube, ref('ConfigMap', 'users-own'))).toBeUndefined();
  });

  test('waits for finalizers, and says what it waited for when they do not finish', async () => {
    await create(kube, { ...configMap('held', {}), metadata: { name: 'held', namespace: ns, finalizers: ['example.com/hold'] } });
    const error = await rejection(deleteObject(kube, ref('ConfigMap', 'held'), { waitBudgetMs: 1_500 }));
    expect(error).toBeInstanceOf(EventuallyTimeout);
    expect(error.message).toMatch(/^ConfigMap kube-helpers\/held gone: not seen within \d+ ms \(\d+ attempts\); last observed: terminating since \S+, finalizers example\.com\/hold$/);
    const held = await read<ConfigMap>(kube, ref('ConfigMap', 'held'));
    await replace(kube, { ...held, metadata: { ...held.metadata, finalizers: [] } });
    expect(await get(kube, ref('ConfigMap', 'held'))).toBeUndefined();
  });
});

describe('backupAndReplace and restore', () => {
  test("records someone else's object, replaces it, and puts it back as it was", async () => {
    await create(kube, configMap('shared-name', { owner: 'user' }, { team: 'platform' }), { stamp: false });
    const file = path.join(stateDir, 'backups.json');
    const ledger = new BackupLedger(file);
    const ours = await backupAndReplace(kube, configMap('shared-name', { owner: 'suite' }), ledger);
    expect(ours.data).toEqual({ owner: 'suite' });
    expect(ours.metadata.labels?.[MANAGED_BY_LABEL]).toBe('istio-gateway-conformance');
    // A name that nothing had: created, and deleted on restore.
    await backupAndReplace(kube, configMap('fresh-name', { owner: 'suite' }), ledger);
    expect(ledger.entries.map((e) => [e.ref.name, e.before === null])).toEqual([
      ['shared-name', false],
      ['fresh-name', true],
    ]);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    // A second write over the same name keeps the first record (the state before the suite).
    await backupAndReplace(kube, configMap('shared-name', { owner: 'suite', again: 'yes' }), ledger);
    expect(BackupLedger.load(file).entries).toHaveLength(2);

    expect(await restore(kube, ledger)).toEqual([
      `ConfigMap ${ns}/fresh-name: created by the suite, deleted`,
      `ConfigMap ${ns}/shared-name: restored as it was before the suite replaced it`,
    ]);
    const back = await read<ConfigMap>(kube, ref('ConfigMap', 'shared-name'));
    expect(back.data).toEqual({ owner: 'user' });
    expect(back.metadata.labels).toEqual({ team: 'platform' });
    expect(await get(kube, ref('ConfigMap', 'fresh-name'))).toBeUndefined();
    expect(ledger.entries).toEqual([]);
  });

  test('recreates a recorded object that was deleted meanwhile; a recorded Secret never shows its data', async () => {
    const key = '-----BEGIN PRIVATE' + ' KEY-----\nnot really\n-----END PRIVATE KEY-----\n';
    const secret = { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 'their-certs', namespace: ns }, stringData: { 'tls.key': key } };
    await create(kube, secret, { stamp: false });
    const ledger = new BackupLedger();
    await backupAndReplace(kube, { ...secret, stringData: { 'tls.key': 'ours' } }, ledger);
    expect(inspect(ledger, { depth: 9 })).not.toContain(Buffer.from(key).toString('base64').slice(0, 16));
    expect(String(ledger)).toContain('<redacted');
    await deleteObject(kube, ref('Secret', 'their-certs'));
    expect(await restore(kube, ledger)).toEqual([`Secret ${ns}/their-certs: recreated as it was before the suite replaced it`]);
    const back = await read<KubeObject & { data: Record<string, string> }>(kube, ref('Secret', 'their-certs'));
    expect(Buffer.from(back.data['tls.key']!, 'base64').toString()).toBe(key);
    expect(back.metadata?.labels?.[MANAGED_BY_LABEL]).toBeUndefined();
  });
});

describe('Forbidden, for a user without rights', () => {
  test('a ServiceAccount token without RBAC gets one line naming the user and the verb', async () => {
    const weak = await serviceAccountClient('no-rights');
    const error = await rejection(read(weak, ref('Secret', 'their-certs')));
    expect(hasReason(error, 'Forbidden')).toBe(true);
    expect(error.message).toBe(
      `get Secret ${ns}/their-certs: 403 Forbidden: secrets "their-certs" is forbidden: User "system:serviceaccount:${ns}:no-rights" cannot get resource "secrets" in API group "" in the namespace "${ns}"`,
    );
    const denied = await rejection(create(weak, configMap('by-no-rights', {})));
    expect(denied.message).toMatch(new RegExp(`^create ConfigMap ${ns}/by-no-rights: 403 Forbidden: configmaps is forbidden: User "system:serviceaccount:${ns}:no-rights" cannot create resource "configmaps"`));
  });
});

describe('an API server that does not answer', () => {
  test('an operation against a closed port on 127.0.0.1 fails at once with one line', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const { kubeConfig } = loadKubeConfig({ kubeconfigPath: twin.kubeconfig });
    const cluster = kubeConfig.getCurrentCluster()!;
    (cluster as { server: string }).server = `https://127.0.0.1:${port}`;
    const gone: KubeClient = { ...kube, kubeConfig, server: cluster.server, transport: ApiTransport.connect(kubeConfig, 5_000) };
    const before = Date.now();
    const error = await rejection(read(gone, ref('ConfigMap', 'created')));
    expect(Date.now() - before).toBeLessThan(3_000);
    expect(hasReason(error, 'Unreachable')).toBe(true);
    expect(error.message).toBe(`get ConfigMap ${ns}/created: Unreachable: cannot reach the API server https://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`);
    await expect(connect({ kubeconfigPath: twin.kubeconfig, context: 'nope' })).rejects.toThrow(UsageError);
  });
});

describe('waitForDeployment', () => {
  const deployment = (name: string, replicas: number) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }] } },
    },
  });

  test('returns once the controller has observed the spec and the replicas are there', async () => {
    await apply(kube, deployment('scaled-to-zero', 0));
    const ready = await waitForDeployment(kube, { namespace: ns, name: 'scaled-to-zero' }, 30_000);
    expect(ready.status?.observedGeneration).toBe(ready.metadata?.generation);
  });

  test('a missing Deployment times out saying so', async () => {
    const error = await rejection(waitForDeployment(kube, { namespace: ns, name: 'never-deployed' }, 1_000));
    expect(error.message).toMatch(/^Deployment kube-helpers\/never-deployed rolled out: not seen within \d+ ms \(\d+ attempts\); last observed: the Deployment does not exist$/);
  });
});

describe('ingressAddress (SG-B2)', () => {
  const service = (name: string, type: string, ports: { name: string; port: number }[]) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns },
    spec: { type, selector: { app: name }, ports: ports.map((p) => ({ ...p, targetPort: 8443, protocol: 'TCP' })) },
  });

  test('a LoadBalancer Service: its ingress address and port 443', async () => {
    await create(kube, service('lb-gateway', 'LoadBalancer', [{ name: 'http2', port: 80 }, { name: 'https', port: 443 }]));
    const found = await eventually(
      () => ingressAddress(kube, { namespace: ns, name: 'lb-gateway' }, undefined),
      (address) => address.source === 'loadBalancer',
      { budgetMs: 30_000, converge: 1, expectation: 'a LoadBalancer address' },
    );
    expect(found).toEqual({ address: twin.node.address, port: 443, source: 'loadBalancer' });
    expect(await ingressAddress(kube, { namespace: ns, name: 'lb-gateway' }, '127.0.0.1:9443')).toEqual({ address: '127.0.0.1', port: 9443, source: 'override' });
  });

  test("a NodePort Service: the node's InternalIP and the NodePort", async () => {
    const made = await create(kube, service('np-gateway', 'NodePort', [{ name: 'https', port: 443 }]));
    const nodePort = (made as unknown as { spec: { ports: { nodePort: number }[] } }).spec.ports[0]!.nodePort;
    expect(await ingressAddress(kube, { namespace: ns, name: 'np-gateway' }, undefined)).toEqual({ address: twin.node.address, port: nodePort, source: 'nodePort' });
  });

  test('a Service without an HTTPS port, or none at all, is one line', async () => {
    await create(kube, service('plain', 'ClusterIP', [{ name: 'http', port: 80 }]));
    const error = await rejection(ingressAddress(kube, { namespace: ns, name: 'plain' }, undefined));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(`Service ${ns}/plain has no port named https or numbered 443 (its ports: http 80/TCP): is this the ingress gateway's Service?`);
    expect((await rejection(ingressAddress(kube, { namespace: ns, name: 'istio-ingressgateway' }, undefined))).message).toBe(
      `get Service ${ns}/istio-ingressgateway: 404 NotFound: services "istio-ingressgateway" not found`,
    );
  });
});

describe('the Lease lock (two runs on one cluster)', () => {
  test('a second run is refused with the holder named, or waits for the release', async () => {
    const other = await connect({ kubeconfigPath: twin.kubeconfig });
    const first = await acquireLease(kube, { namespace: ns, holder: 'run-a' });
    const lease = await read<Lease & KubeObject>(kube, first.ref);
    expect(lease.spec).toMatchObject({ holderIdentity: 'run-a', leaseDurationSeconds: 60, leaseTransitions: 0 });
    expect(lease.metadata.labels?.[MANAGED_BY_LABEL]).toBe('istio-gateway-conformance');

    const refused = await rejection(acquireLease(other, { namespace: ns, holder: 'run-b' }));
    expect(refused).toBeInstanceOf(LeaseHeldError);
    expect(refused.message).toMatch(
      /^another run holds the lock Lease kube-helpers\/istio-gateway-conformance-lock: holder "run-a", renewed \d+ s ago, expires in \d+ s unless renewed; waited 0 s\. Wait for that run to finish, or delete the Lease if that run is gone$/,
    );

    await first.renew();
    const waiting = acquireLease(other, { namespace: ns, holder: 'run-b', waitBudgetMs: 20_000, pollMs: 200 });
    await first.release();
    const second = await waiting;
    expect((await read<Lease & KubeObject>(kube, second.ref)).spec?.holderIdentity).toBe('run-b');
    await expect(first.renew()).rejects.toThrow(LeaseLostError);
    await first.release(); // not the holder any more: leaves run-b's lease alone
    expect((await read<Lease & KubeObject>(kube, second.ref)).spec?.holderIdentity).toBe('run-b');
    await second.release();
    expect(await get(kube, second.ref)).toBeUndefined();
  });

  test('a holder that stopped renewing loses the lease when it expires', async () => {
    const stale = await acquireLease(kube, { namespace: ns, name: 'short-lock', holder: 'killed-run', durationSeconds: 1 });
    const stopRenewing = stale.keepRenewing();
    stopRenewing(); // the run was killed
    const next = await acquireLease(kube, { namespace: ns, name: 'short-lock', holder: 'next-run', waitBudgetMs: 10_000, pollMs: 200 });
    const lease = await read<Lease & KubeObject>(kube, next.ref);
    expect(lease.spec).toMatchObject({ holderIdentity: 'next-run', leaseTransitions: 1 });
    await next.release();
  });
});

// Pods run by the twin's pod runner: a general-purpose image (busybox) whose commands are the
// host's. Its program is a small perl server on 8080 that greets each connection and logs it.
describe('a running pod: exec, logs, port-forward', () => {
  const server =
    '$| = 1; use IO::Socket::INET; my $s = IO::Socket::INET->new(LocalPort => 8080, Listen => 5, ReuseAddr => 1) or die "listen: $!"; ' +
    'print "listening\\n"; my $n = 0; while (my $c = $s->accept) { $n++; print "accepted $n\\n"; print $c "hello from the pod\\n"; close $c }';
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'shell', namespace: ns },
    spec: {
      containers: [
        {
          name: 'main',
          image: 'busybox:1.36',
          command: ['perl', '-e', server],
          readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
        },
      ],
    },
  };

  beforeAll(async () => {
    await create(kube, pod);
    await eventually(
      () => read<KubeObject & { status?: { conditions?: { type: string; status: string }[]; phase?: string } }>(kube, ref('Pod', 'shell')),
      (p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      { budgetMs: 60_000, converge: 1, expectation: 'pod shell Ready', render: (p) => JSON.stringify(p.status) },
    );
  }, 90_000);

  const run = (command: string[], extra: { stdin?: string; timeoutMs?: number } = {}) => exec(kube, { namespace: ns, pod: 'shell', command, ...extra });

  test('exec captures stdout, stderr and the exit code', async () => {
    expect(await run(['sh', '-c', 'echo out; echo err >&2; exit 3'])).toEqual({ stdout: 'out\n', stderr: 'err\n', exitCode: 3 });
    expect(await run(['true'])).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    expect(await run(['cat'], { stdin: 'through stdin\n' })).toMatchObject({ stdout: 'through stdin\n', exitCode: 0 });
  });

  test('a command the image lacks exits 126 or 127, as a container runtime reports it', async () => {
    const result = await run(['no-such-command']);
    expect([126, 127]).toContain(result.exitCode);
  });

  test('a command that outlives its budget is a Timeout, not a hang', async () => {
    const before = Date.now();
    const error = await rejection(run(['sleep', '30'], { timeoutMs: 1_000 }));
    expect(error.message).toBe(`exec in Pod ${ns}/shell (sleep 30): Timeout: the command did not finish within 1000 ms`);
    expect(Date.now() - before).toBeLessThan(5_000);
  });

  test('exec into a missing pod, or a missing container, is one line', async () => {
    expect((await rejection(exec(kube, { namespace: ns, pod: 'ghost', command: ['true'] }))).message).toBe(`exec in Pod ${ns}/ghost (true): 404 NotFound: pods "ghost" not found`);
    expect((await rejection(exec(kube, { namespace: ns, pod: 'shell', container: 'sidecar', command: ['true'] }))).message).toBe(
      `exec in Pod ${ns}/shell (true): BadRequest: pod ${ns}/shell has no container "sidecar"; its containers: main`,
    );
  });

  test('a user who may read pods but not exec into them gets the API server’s refusal of the upgrade', async () => {
    await create(kube, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'pod-reader', namespace: ns }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] });
    await create(kube, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'pod-reader', namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: ns }],
    });
    const reader = await serviceAccountClient('reader');
    const error = await eventually(
      () => rejection(exec(reader, { namespace: ns, pod: 'shell', command: ['true'] })),
      (e) => hasReason(e, 'Forbidden') && e.message.includes('pods/exec'),
      { budgetMs: 10_000, converge: 1, expectation: 'exec refused for lack of pods/exec' },
    );
    expect(error.message).toMatch(new RegExp(`^exec in Pod ${ns}/shell \\(true\\): 403 Forbidden: pods "shell" is forbidden: User "system:serviceaccount:${ns}:reader" cannot (create|get) resource "pods/exec"`));
  });

  test('port-forward: a local port reaches the pod’s port; one where nothing listens is reported', async () => {
    const forwarding = await portForward(kube, { namespace: ns, pod: 'shell', port: 8080 });
    const greet = () =>
      new Promise<string>((resolve, reject) => {
        const socket = net.connect(forwarding.localPort, '127.0.0.1');
        let text = '';
        socket.on('data', (chunk) => (text += chunk.toString()));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
    try {
      expect(await greet()).toBe('hello from the pod\n');
      expect(await greet()).toBe('hello from the pod\n');
    } finally {
      await forwarding.close();
    }
    await expect(greet()).rejects.toThrow('ECONNREFUSED');

    const nowhere = await portForward(kube, { namespace: ns, pod: 'shell', port: 8081 });
    try {
      const socket = net.connect(nowhere.localPort, '127.0.0.1');
      await new Promise((resolve) => socket.on('close', resolve).on('error', () => undefined));
      expect(nowhere.errors.join(' ')).toContain('8081');
    } finally {
      await nowhere.close();
    }
    expect((await rejection(portForward(kube, { namespace: ns, pod: 'ghost', port: 80 }))).message).toBe(`port-forward to Pod ${ns}/ghost (port 80): 404 NotFound: pods "ghost" not found`);
  });

  test('logs since a moment leave out what came before', async () => {
    const whole = await eventually(() => logs(kube, { namespace: ns, pod: 'shell' }), (text) => text.includes('listening'), { budgetMs: 10_000, converge: 1, expectation: 'the first log line' });
    expect(whole.startsWith('listening\n')).toBe(true);
    // The API's resolution is a second: start from the next second after that line.
    const mark = Math.floor(Date.now() / 1000);
    await eventually(async () => Math.floor(Date.now() / 1000), (second) => second > mark, { budgetMs: 3_000, converge: 1, initialDelayMs: 50, maxDelayMs: 100 });
    const since = new Date();
    const forwarding = await portForward(kube, { namespace: ns, pod: 'shell', port: 8080 });
    try {
      await new Promise((resolve, reject) => net.connect(forwarding.localPort, '127.0.0.1').on('close', resolve).on('error', reject).resume());
    } finally {
      await forwarding.close();
    }
    const recent = await eventually(() => logs(kube, { namespace: ns, pod: 'shell', since }), (text) => /accepted \d+/.test(text), { budgetMs: 10_000, converge: 1, expectation: 'the accepted line' });
    expect(recent).not.toContain('listening');
    expect((await rejection(logs(kube, { namespace: ns, pod: 'ghost' }))).message).toBe(`logs of Pod ${ns}/ghost: 404 NotFound: pods "ghost" not found`);
  });

  test('waitForDeployment waits for real replicas to become available', async () => {
    await apply(kube, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'sleepers', namespace: ns },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'sleepers' } },
        template: { metadata: { labels: { app: 'sleepers' } }, spec: { containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }] } },
      },
    });
    const ready = await waitForDeployment(kube, { namespace: ns, name: 'sleepers' }, 90_000);
    expect(ready.status).toMatchObject({ updatedReplicas: 2, availableReplicas: 2 });
  }, 120_000);
});
