// What a field manager wrote to an object, read back from the object's managedFields: the
// server's own record (fieldsV1) of which fields each manager owns. Projecting an object onto a
// manager's fieldsV1 gives that manager's apply configuration, as client-go's Extract* functions
// do, without the fields the server defaulted or other controllers set (a webhook's caBundle, a
// Service's clusterIP, status).
import type { KubeObject } from './types';

/** A fieldsV1 tree: `f:name` fields, `k:{...}` keyed list items, `v:...` set items, `i:N` indexes, `.` the node itself. */
export type FieldsV1 = { [key: string]: FieldsV1 };

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  time?: string;
  apiVersion?: string;
  fieldsType?: string;
  fieldsV1?: FieldsV1;
}

/** Merges fieldsV1 trees: a field owned in either is owned in the result. */
export function unionFields(trees: FieldsV1[]): FieldsV1 {
  const union: FieldsV1 = {};
  for (const tree of trees) {
    for (const [key, subtree] of Object.entries(tree)) union[key] = unionFields([union[key] ?? {}, subtree]);
  }
  return union;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepEqual(left: unknown, right: unknown): boolean {
  return JSON.stringify(canonical(left)) === JSON.stringify(canonical(right));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (isPlainObject(value)) return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical(value[key])]));
  return value;
}

/** The part of `value` that the fieldsV1 tree owns. A leaf (`{}`) owns the whole value (a scalar or an atomic list or map). */
export function projectFields(value: unknown, tree: FieldsV1): unknown {
  const keys = Object.keys(tree).filter((key) => key !== '.');
  if (keys.length === 0) return value;
  if (Array.isArray(value)) return projectList(value, keys, tree);
  if (!isPlainObject(value)) return value;
  const owned: Record<string, unknown> = {};
  for (const key of keys) {
    if (!key.startsWith('f:')) continue;
    const name = key.slice(2);
    if (name in value) owned[name] = projectFields(value[name], tree[key] ?? {});
  }
  return owned;
}

function projectList(items: unknown[], keys: string[], tree: FieldsV1): unknown[] {
  const owned: unknown[] = [];
  items.forEach((item, index) => {
    const key = keys.find((candidate) => listKeyMatches(candidate, item, index));
    if (key === undefined) return;
    const projected = projectFields(item, tree[key] ?? {});
    // A keyed item keeps its key fields: an apply configuration names the item it sets.
    owned.push(key.startsWith('k:') && isPlainObject(projected) ? { ...(JSON.parse(key.slice(2)) as object), ...projected } : projected);
  });
  return owned;
}

function listKeyMatches(key: string, item: unknown, index: number): boolean {
  if (key.startsWith('i:')) return Number(key.slice(2)) === index;
  if (key.startsWith('v:')) return deepEqual(JSON.parse(key.slice(2)), item);
  if (key.startsWith('k:')) {
    if (!isPlainObject(item)) return false;
    const wanted = JSON.parse(key.slice(2)) as Record<string, unknown>;
    return Object.entries(wanted).every(([field, expected]) => deepEqual(item[field], expected));
  }
  return false;
}

export function managedFieldsOf(object: KubeObject): ManagedFieldsEntry[] {
  return (object.metadata?.managedFields ?? []) as ManagedFieldsEntry[];
}

/** The managers that own fields of the object. */
export function managersOf(object: KubeObject): string[] {
  return [...new Set(managedFieldsOf(object).map((entry) => entry.manager ?? ''))].filter(Boolean);
}

/**
 * The object as the named manager wrote it (with one operation, or all): its apiVersion, kind,
 * name and namespace, and the fields its managedFields entries own (undefined when it owns none).
 */
export function writtenBy(object: KubeObject, manager: string, operation?: string): KubeObject | undefined {
  const entries = managedFieldsOf(object).filter(
    (entry) => entry.manager === manager && (operation === undefined || entry.operation === operation) && entry.fieldsType === 'FieldsV1' && entry.fieldsV1,
  );
  if (entries.length === 0) return undefined;
  const { managedFields: _managedFields, ...metadata } = object.metadata ?? {};
  const projected = projectFields({ ...object, metadata }, unionFields(entries.map((entry) => entry.fieldsV1!))) as KubeObject;
  return {
    ...projected,
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata: {
      ...projected.metadata,
      name: object.metadata?.name,
      ...(object.metadata?.namespace ? { namespace: object.metadata.namespace } : {}),
    },
  };
}
