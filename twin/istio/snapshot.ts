// A snapshot of what `istioctl install` wrote to the twin's API server, so that a warm start puts
// the same objects back instead of installing again. istioctl installs component by component and
// waits for each to be Ready before the next (operator/pkg/install/install.go: Base, then Pilot,
// then the gateways), polling every 2 s; restoring applies every object at once and waits once.
//
// What is captured is the server's own record of istioctl's writes: every object whose
// managedFields name istioctl's field managers ("istio-operator" for its server-side applies,
// "istioctl" for the namespace it creates), projected onto the fields those managers own. Fields
// the server defaulted or other controllers set (istiod's caBundle, clusterIPs, status) are not
// in it, so they are made afresh, as after a real install. The restore applies each object with
// the same field manager, so the objects' ownership is what istioctl leaves too.
//
// The key covers everything that changes what istioctl writes: the release and its build, hub and
// tag, the overlay's content, the install arguments and the Kubernetes version.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { KubeClient } from '../../helpers/kube';
import { eventually } from '../../helpers/eventually';
import { rolloutStatus } from '../../helpers/kube/deployment';
import { managedFieldsOf, writtenBy } from '../../helpers/kube/managed-fields';
import type { KubeObject } from '../../helpers/kube/types';
import { listableResources } from '../../helpers/kube/discovery';

/** The field managers istioctl writes with (install.go's serverSideApply; util.CreateNamespace via client-go). */
export const ISTIOCTL_MANAGERS = ['istio-operator', 'istioctl'] as const;

const FORMAT = 2;

export interface SnapshotEntry {
  manager: string;
  /** Apply (a server-side apply) or Update (a create, update or patch), as managedFields record it. */
  operation: string;
  /** When the manager last wrote (managedFields' time): entries are restored in this order. */
  time: string;
  object: KubeObject;
}

export interface InstallSnapshot {
  format: number;
  key: string;
  release: string;
  capturedAt: string;
  objects: SnapshotEntry[];
}

export interface SnapshotKeyInput {
  release: string;
  hub: string;
  tag: string;
  kubernetesVersion: string;
  /** The install arguments without the kubeconfig (it names the state folder). */
  args: string[];
  overlayFile: string;
  istioctl: string;
}

export function snapshotKey(input: SnapshotKeyInput): string {
  const binary = fs.statSync(input.istioctl);
  const material = {
    format: FORMAT,
    release: input.release,
    hub: input.hub,
    tag: input.tag,
    kubernetesVersion: input.kubernetesVersion,
    args: input.args,
    overlay: fs.readFileSync(input.overlayFile, 'utf8'),
    // A rebuilt istioctl (another recipe or source) is another binary: size and time say so without hashing 100 MB.
    istioctl: { path: input.istioctl, size: binary.size, mtimeMs: Math.trunc(binary.mtimeMs) },
  };
  return createHash('sha256').update(JSON.stringify(material)).digest('hex').slice(0, 20);
}

export function snapshotFile(snapshotDir: string, key: string): string {
  return path.join(snapshotDir, `istio-install-${key}.json`);
}

export function readSnapshot(snapshotDir: string, key: string): InstallSnapshot | undefined {
  let text: string;
  try {
    text = fs.readFileSync(snapshotFile(snapshotDir, key), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const snapshot = JSON.parse(text) as InstallSnapshot;
    // A file of another format or key, or a cut-off write, is no snapshot: install afresh.
    return snapshot.format === FORMAT && snapshot.key === key && Array.isArray(snapshot.objects) && snapshot.objects.length > 0 ? snapshot : undefined;
  } catch {
    return undefined;
  }
}

export function writeSnapshot(snapshotDir: string, snapshot: InstallSnapshot): string {
  const text = JSON.stringify(snapshot);
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) throw new Error('refusing to write an install snapshot that holds private key material');
  fs.mkdirSync(snapshotDir, { recursive: true, mode: 0o700 });
  const file = snapshotFile(snapshotDir, snapshot.key);
  // Written beside and renamed: a reader never sees half a snapshot.
  const staging = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(staging, text, { mode: 0o600 });
  fs.renameSync(staging, file);
  return file;
}

/** Every object the named managers wrote, as they wrote it. */
export async function objectsWrittenBy(kube: KubeClient, managers: readonly string[]): Promise<SnapshotEntry[]> {
  const entries: SnapshotEntry[] = [];
  for (const resource of await listableResources(kube)) {
    if (resource.kind === 'Event') continue; // istioctl writes none, and there are many
    const page = await kube.transport.request<{ items?: KubeObject[] }>('GET', resource.listPath);
    for (const item of page.items ?? []) {
      const object = { ...item, apiVersion: resource.apiVersion, kind: resource.kind };
      for (const entry of managedFieldsOf(object).filter((candidate) => managers.includes(candidate.manager ?? ''))) {
        const written = writtenBy(object, entry.manager!, entry.operation);
        if (written) entries.push({ manager: entry.manager!, operation: entry.operation ?? 'Apply', time: entry.time ?? '', object: written });
      }
    }
  }
  return entries;
}

export async function captureInstall(kube: KubeClient, key: string, release: string): Promise<InstallSnapshot> {
  return { format: FORMAT, key, release, capturedAt: new Date().toISOString(), objects: await objectsWrittenBy(kube, ISTIOCTL_MANAGERS) };
}

const WORKLOADS = new Set(['Deployment', 'DaemonSet', 'StatefulSet']);
// Kubernetes' own groups have no dot (apps, policy) or end in .k8s.io; CRDs' groups are the rest.
const isBuiltInGroup = (apiVersion: string) => {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return !group.includes('.') || group.endsWith('.k8s.io');
};

/**
 * The restore's waves: namespaces; CRDs; the other built-in objects; the workloads; and, once
 * those are Ready, the custom resources (istiod's validation webhook admits them only when istiod
 * serves, and their CRDs must be Established).
 */
type Waves = [SnapshotEntry[], SnapshotEntry[], SnapshotEntry[], SnapshotEntry[], SnapshotEntry[]];

export function restoreWaves(objects: SnapshotEntry[]): Waves {
  const wave = (entry: SnapshotEntry): 0 | 1 | 2 | 3 | 4 => {
    const { kind, apiVersion } = entry.object;
    if (kind === 'Namespace') return 0;
    if (kind === 'CustomResourceDefinition') return 1;
    if (WORKLOADS.has(kind!)) return 3;
    return isBuiltInGroup(apiVersion!) ? 2 : 4;
  };
  const waves: Waves = [[], [], [], [], []];
  for (const entry of objects) waves[wave(entry)].push(entry);
  return waves;
}

/**
 * An object's entries in the order they were written (istioctl creates with server-side apply,
 * then patches some, e.g. the default injector it deactivates for the revision tag); entries of
 * different objects are independent and go at once.
 */
export function writeRounds(entries: SnapshotEntry[]): SnapshotEntry[][] {
  const byObject = new Map<string, SnapshotEntry[]>();
  for (const entry of entries) {
    const { apiVersion, kind, metadata } = entry.object;
    const id = `${apiVersion}/${kind}/${metadata?.namespace ?? ''}/${metadata?.name}`;
    byObject.set(id, [...(byObject.get(id) ?? []), entry]);
  }
  const rounds: SnapshotEntry[][] = [];
  for (const writes of byObject.values()) {
    // The Apply that made it first: its time is the create's, and a patch needs the object to exist.
    const ordered = [...writes].sort((left, right) => Number(left.operation !== 'Apply') - Number(right.operation !== 'Apply') || left.time.localeCompare(right.time));
    ordered.forEach((entry, index) => (rounds[index] ??= []).push(entry));
  }
  return rounds;
}

async function applyAs(kube: KubeClient, entry: SnapshotEntry): Promise<void> {
  const { apiVersion, kind, metadata } = entry.object;
  const where = { apiVersion: apiVersion!, kind: kind!, name: metadata?.name, namespace: metadata?.namespace };
  const objectPath = await kube.transport.pathOf(where, 'patch');
  await kube.transport.request('PATCH', objectPath, {
    query: { fieldManager: entry.manager, force: true },
    contentType: 'application/apply-patch+yaml',
    body: entry.object,
  });
}

async function waitUntil(expectation: string, check: () => Promise<{ done: boolean; summary: string }>, budgetMs: number): Promise<void> {
  await eventually(check, (state) => state.done, {
    budgetMs,
    converge: 1,
    initialDelayMs: 100,
    maxDelayMs: 250,
    expectation,
    render: (state) => state.summary,
  });
}

async function waitEstablished(kube: KubeClient, crds: SnapshotEntry[], budgetMs: number): Promise<void> {
  await Promise.all(
    crds.map((entry) =>
      waitUntil(
        `CRD ${entry.object.metadata?.name} Established`,
        async () => {
          const crd = await kube.transport.request<{ status?: { conditions?: Array<{ type: string; status: string }> } }>(
            'GET',
            `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${entry.object.metadata?.name}`,
          );
          const established = crd.status?.conditions?.some((condition) => condition.type === 'Established' && condition.status === 'True') ?? false;
          return { done: established, summary: established ? 'Established' : 'not Established yet' };
        },
        budgetMs,
      ),
    ),
  );
}

async function waitRolledOut(kube: KubeClient, workloads: SnapshotEntry[], budgetMs: number): Promise<void> {
  await Promise.all(
    workloads
      .filter((entry) => entry.object.kind === 'Deployment')
      .map((entry) => {
        const { name, namespace } = entry.object.metadata ?? {};
        return waitUntil(
          `Deployment ${namespace}/${name} rolled out`,
          async () => {
            const deployment = await kube.transport.request<Parameters<typeof rolloutStatus>[0]>('GET', `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`);
            const status = rolloutStatus(deployment);
            return { done: status.ready, summary: status.summary };
          },
          budgetMs,
        );
      }),
  );
}

/** Puts back what istioctl wrote, and waits as istioctl does: until every Deployment has rolled out. */
export async function restoreInstall(kube: KubeClient, snapshot: InstallSnapshot, budgetMs = 300_000, progress: (line: string) => void = () => {}): Promise<void> {
  const [namespaces, crds, builtIns, workloads, customResources] = restoreWaves(snapshot.objects);
  const applyAll = async (entries: SnapshotEntry[]) => {
    for (const round of writeRounds(entries)) await Promise.all(round.map((entry) => applyAs(kube, entry)));
  };
  let mark = Date.now();
  const step = async (what: string, work: () => Promise<unknown>) => {
    await work();
    progress(`restore: ${what} (${Date.now() - mark} ms)`);
    mark = Date.now();
  };
  await step(`${namespaces.length} namespace(s)`, () => applyAll(namespaces));
  // The workloads need no CRD to start (istiod watches for Istio's CRDs and starts those informers
  // when they appear), so the CRDs settle while the pods start.
  await step(`${crds.length} CRDs Established, ${builtIns.length} other objects and ${workloads.length} workloads rolled out`, () =>
    Promise.all([
      applyAll(crds).then(() => waitEstablished(kube, crds, budgetMs)),
      (async () => {
        await applyAll(builtIns);
        await applyAll(workloads);
        await waitRolledOut(kube, workloads, budgetMs);
      })(),
    ]),
  );
  await step(`${customResources.length} custom resources`, () => applyAll(customResources));
}
