// The shapes helpers/kube works with: objects as the API server sends them (plain JSON), and
// references to them. Client-node's model classes (V1Secret, …) are accepted as input too.

/** The metadata fields the helpers read or set; everything else passes through untouched. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  uid?: string;
  generation?: number;
  creationTimestamp?: string | Date;
  deletionTimestamp?: string | Date;
  finalizers?: string[];
  managedFields?: unknown[];
}

/** Any Kubernetes object. Objects the helpers return are plain JSON (timestamps are strings). */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/** Names one object: group/version, kind, namespace (for namespaced kinds) and name. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** What an operation acted on, for messages: a kind and, when known, a namespace and a name. */
export interface Target {
  kind: string;
  namespace?: string;
  name?: string;
  /** Extra words after the name, e.g. the label selector of a list. */
  detail?: string;
}

/** The reference of an object; throws when it lacks what a reference needs. */
export function refOf(object: KubeObject): ObjectRef {
  const { apiVersion, kind } = object;
  const name = object.metadata?.name;
  if (!apiVersion || !kind || !name) {
    throw new Error(`an object needs apiVersion, kind and metadata.name (got ${apiVersion ?? '?'} ${kind ?? '?'} ${name ?? '?'})`);
  }
  const namespace = object.metadata?.namespace;
  return namespace ? { apiVersion, kind, name, namespace } : { apiVersion, kind, name };
}

/** `Gateway istio-system/httpbin-gateway`, `Namespace demo`, `Pod istio-system (app=httpbin)`. */
export function describeTarget(target: Target): string {
  const where = target.name
    ? target.namespace
      ? `${target.namespace}/${target.name}`
      : target.name
    : (target.namespace ?? '');
  return [target.kind, where, target.detail ? `(${target.detail})` : ''].filter(Boolean).join(' ');
}

/** A shallow-safe deep copy of JSON data (the objects the helpers handle are JSON). */
export function copyJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A Secret with its data given as text (base64-encoded here, as the API stores it). */
export function secretObject(meta: { namespace: string; name: string }, type: 'kubernetes.io/tls' | 'Opaque', data: Record<string, string>): KubeObject {
  const encoded = Object.fromEntries(Object.entries(data).map(([key, text]) => [key, Buffer.from(text, 'utf8').toString('base64')]));
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: meta.name, namespace: meta.namespace }, type, data: encoded } as KubeObject;
}
