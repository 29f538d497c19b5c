// The object operations the catalogue needs, for any kind the API server serves (Istio's CRDs
// included): create, server-side apply, replace, get/read, list by label, delete and wait until
// gone. Every write labels the object as the suite's; writes over and deletes of objects that are
// not the suite's are refused unless the caller adopts them explicitly.
import { eventually } from '../eventually';
import { hasReason, KubeApiError, toKubeError } from './errors';
import type { KubeClient } from './connect';
import { assertOwned, FIELD_MANAGER, OwnershipError, withOwnership } from './ownership';
import { guardSecrets } from './redact';
import { copyJson, refOf, type KubeObject, type ObjectRef, type Target } from './types';

export interface WriteOptions {
  /** Write over an object the suite did not create (it lacks the managed-by label). */
  adoptUnowned?: boolean;
  /** Add the run's ownership labels (default true; false only to put back someone else's object). */
  stamp?: boolean;
  /** Ask the server to validate and admit the write without storing it. */
  dryRun?: boolean;
}

export interface ApplyOptions extends WriteOptions {
  /** Take over fields another field manager owns instead of failing with Conflict. */
  force?: boolean;
}

export interface DeleteOptions {
  adoptUnowned?: boolean;
  /** Wait until the object is gone (default true), within this budget (default 120 s). */
  wait?: boolean;
  waitBudgetMs?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
}

export interface ListQuery {
  apiVersion: string;
  kind: string;
  /** Omit for cluster-scoped kinds, or to list a namespaced kind in all namespaces. */
  namespace?: string;
  /** `{ app: 'httpbin' }` or a selector string (`app=httpbin,tier!=db`). */
  labels?: Record<string, string> | string;
  fieldSelector?: string;
}

type Where = { apiVersion: string; kind: string; name?: string; namespace?: string };

// Runs one operation with its namespace resolved as kubectl does (the context's namespace for a
// namespaced kind that names none; none for a cluster-scoped kind), and turns any failure into a
// KubeApiError naming the verb and the object.
async function operate<R>(kube: KubeClient, verb: string, where: Where, work: (where: Where, target: Target) => Promise<R>, detail?: string): Promise<R> {
  const target: Target = { kind: where.kind, namespace: where.namespace, name: where.name, detail };
  try {
    const namespaced = await kube.transport.isNamespaced(where.apiVersion, where.kind);
    const namespace = namespaced ? (where.namespace ?? (where.name || verb !== 'list' ? kube.transport.namespace : undefined)) : undefined;
    target.namespace = namespace;
    return guardSecrets(await work({ ...where, namespace }, target));
  } catch (error) {
    if (error instanceof OwnershipError || error instanceof KubeApiError) throw error;
    throw toKubeError(verb, target, error, kube.server);
  }
}

function headerOf(object: KubeObject, verb: string): Where {
  const { apiVersion, kind } = object;
  if (!apiVersion || !kind) throw new Error(`${verb}: the object has no apiVersion or kind`);
  return { apiVersion, kind, name: object.metadata?.name, namespace: object.metadata?.namespace };
}

function bodyFor<T extends KubeObject>(kube: KubeClient, object: T, namespace: string | undefined, stamp = true): T {
  const body = stamp ? withOwnership(object, kube.runId) : copyJson(object);
  body.metadata = { ...body.metadata };
  if (namespace) body.metadata.namespace = namespace;
  delete body.metadata.managedFields;
  return body;
}

/** Creates the object (POST); AlreadyExists when it exists. */
export async function create<T extends KubeObject>(kube: KubeClient, object: T, options: WriteOptions = {}): Promise<T> {
  return operate(kube, 'create', headerOf(object, 'create'), async (where) => {
    const path = await kube.transport.pathOf(where, 'create');
    return kube.transport.request<T>('POST', path, {
      query: { fieldManager: FIELD_MANAGER, dryRun: options.dryRun ? 'All' : undefined },
      body: bodyFor(kube, object, where.namespace, options.stamp),
    });
  });
}

/**
 * Server-side apply, as `kubectl apply --server-side --field-manager istio-gateway-conformance`:
 * creates the object or updates the fields this manager owns.
 */
export async function apply<T extends KubeObject>(kube: KubeClient, object: T, options: ApplyOptions = {}): Promise<T> {
  return operate(kube, 'apply', headerOf(object, 'apply'), async (where, target) => {
    if (!where.name) throw new Error('apply: the object has no metadata.name');
    const existing = await get(kube, refOf({ ...object, metadata: { ...object.metadata, namespace: where.namespace } }));
    if (existing) assertOwned('apply', target, existing, options.adoptUnowned);
    const path = await kube.transport.pathOf(where, 'patch');
    return kube.transport.request<T>('PATCH', path, {
      query: { fieldManager: FIELD_MANAGER, force: options.force ? true : undefined, dryRun: options.dryRun ? 'All' : undefined },
      contentType: 'application/apply-patch+yaml',
      body: bodyFor(kube, object, where.namespace, options.stamp),
    });
  });
}

/**
 * Replaces the object (PUT). Without metadata.resourceVersion it takes the current one; with
 * one, a stale version is a Conflict, as optimistic concurrency intends.
 */
export async function replace<T extends KubeObject>(kube: KubeClient, object: T, options: WriteOptions = {}): Promise<T> {
  return operate(kube, 'replace', headerOf(object, 'replace'), async (where, target) => {
    if (!where.name) throw new Error('replace: the object has no metadata.name');
    const path = await kube.transport.pathOf(where, 'replace');
    const current = await kube.transport.request<KubeObject>('GET', path);
    assertOwned('replace', target, current, options.adoptUnowned);
    const body = bodyFor(kube, object, where.namespace, options.stamp);
    body.metadata!.resourceVersion ??= current.metadata?.resourceVersion;
    return kube.transport.request<T>('PUT', path, {
      query: { fieldManager: FIELD_MANAGER, dryRun: options.dryRun ? 'All' : undefined },
      body,
    });
  });
}

/** Reads the object; NotFound is an error. */
export async function read<T extends KubeObject = KubeObject>(kube: KubeClient, ref: ObjectRef): Promise<T> {
  return operate(kube, 'get', ref, async (where) => kube.transport.request<T>('GET', await kube.transport.pathOf(where, 'read')));
}

/** Reads the object, or undefined when it does not exist. */
export async function get<T extends KubeObject = KubeObject>(kube: KubeClient, ref: ObjectRef): Promise<T | undefined> {
  try {
    return await read<T>(kube, ref);
  } catch (error) {
    if (hasReason(error, 'NotFound')) return undefined;
    throw error;
  }
}

function selectorText(labels: ListQuery['labels']): string | undefined {
  if (labels === undefined || typeof labels === 'string') return labels || undefined;
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

/** Lists objects of a kind, by label and field selector, following the server's pages. */
export async function list<T extends KubeObject = KubeObject>(kube: KubeClient, query: ListQuery): Promise<T[]> {
  const labelSelector = selectorText(query.labels);
  const detail = [labelSelector, query.fieldSelector].filter(Boolean).join(', ') || undefined;
  const where = { apiVersion: query.apiVersion, kind: query.kind, namespace: query.namespace };
  return operate(
    kube,
    'list',
    where,
    async (resolved) => {
      const path = await kube.transport.pathOf(resolved, 'list');
      const items: T[] = [];
      let next: string | undefined;
      do {
        const page = await kube.transport.request<{ items?: T[]; metadata?: { continue?: string } }>('GET', path, {
          query: { labelSelector, fieldSelector: query.fieldSelector, limit: 500, continue: next },
        });
        // List items carry no apiVersion/kind; give them back, so that they can be passed on.
        for (const item of page.items ?? []) items.push({ apiVersion: query.apiVersion, kind: query.kind, ...item });
        next = page.metadata?.continue || undefined;
      } while (next);
      return items;
    },
    detail,
  );
}

/**
 * Deletes the object if it exists (NotFound is not an error) and waits until it is gone.
 * Refuses, with OwnershipError, an object the suite did not create unless `adoptUnowned`.
 * The delete names the uid and resourceVersion that were checked, so a different or changed
 * object is never deleted by mistake. Returns whether there was something to delete.
 */
export async function deleteObject(kube: KubeClient, ref: ObjectRef, options: DeleteOptions = {}): Promise<'deleted' | 'absent'> {
  let uid: string | undefined;
  const outcome = await operate(kube, 'delete', ref, async (where, target) => {
    const path = await kube.transport.pathOf(where, 'delete');
    for (let attempt = 1; ; attempt += 1) {
      let current: KubeObject;
      try {
        current = await kube.transport.request<KubeObject>('GET', path);
      } catch (error) {
        if (hasReason(toKubeError('get', target, error), 'NotFound')) return 'absent' as const;
        throw error;
      }
      assertOwned('delete', target, current, options.adoptUnowned);
      uid = current.metadata?.uid;
      try {
        await kube.transport.request('DELETE', path, {
          body: {
            apiVersion: 'v1',
            kind: 'DeleteOptions',
            propagationPolicy: options.propagationPolicy ?? 'Background',
            preconditions: { uid, resourceVersion: current.metadata?.resourceVersion },
          },
        });
        return 'deleted' as const;
      } catch (error) {
        const failure = toKubeError('delete', target, error, kube.server);
        if (failure.reason === 'NotFound') return 'absent' as const;
        // Changed between the check and the delete: check again.
        if (failure.reason === 'Conflict' && attempt < 5) continue;
        throw failure;
      }
    }
  });
  if (outcome === 'deleted' && options.wait !== false) await waitGone(kube, ref, uid, options.waitBudgetMs);
  return outcome;
}

/** Waits until the object (the one with this uid, if given) no longer exists. */
export async function waitGone(kube: KubeClient, ref: ObjectRef, uid?: string, budgetMs = 120_000): Promise<void> {
  const describe = (object: KubeObject | undefined): string => {
    if (!object) return 'gone';
    const meta = object.metadata ?? {};
    const finalizers = meta.finalizers?.length ? `, finalizers ${meta.finalizers.join(', ')}` : '';
    return meta.deletionTimestamp ? `terminating since ${String(meta.deletionTimestamp)}${finalizers}` : 'still there, not terminating';
  };
  await eventually(
    () => get(kube, ref),
    (object) => !object || (uid !== undefined && object.metadata?.uid !== uid),
    {
      budgetMs,
      converge: 1,
      initialDelayMs: 50,
      maxDelayMs: 1_000,
      expectation: `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name} gone`,
      render: describe,
    },
  );
}
