// Every object of a cluster, with what differs from one start to the next taken out, so that two
// twins can be compared: a fresh istioctl install against a restored snapshot. Each dropped field
// says why it differs between any two starts (not only between these two ways).
import type { KubeClient } from '../../../helpers/kube';
import type { KubeObject } from '../../../helpers/kube/types';
import { listableResources } from '../../../helpers/kube/discovery';

// Made afresh by each start: the cluster's own records and the node's and clients' state.
// IPAddress: one per allocated clusterIP.
const SKIPPED_KINDS = new Set(['Event', 'Lease', 'IPAddress', 'Node', 'Endpoints', 'EndpointSlice', 'TokenReview', 'SelfSubjectReview', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SubjectAccessReview', 'LocalSubjectAccessReview']);
// Istio's and the cluster's CAs are generated per start, and so is every certificate they sign.
const PER_START_DATA = new Set(['Secret/istio-system/istio-ca-secret', 'ConfigMap/*/istio-ca-root-cert', 'ConfigMap/kube-system/extension-apiserver-authentication', 'ConfigMap/*/kube-root-ca.crt']);

function dataIsPerStart(kind: string, namespace: string, name: string): boolean {
  return PER_START_DATA.has(`${kind}/${namespace}/${name}`) || PER_START_DATA.has(`${kind}/*/${name}`);
}

/** Random suffixes of generated names (a Pod's `-7b78848c98-tg85b`: the ReplicaSet hash stays, the pod's five letters go). */
function stableName(object: KubeObject): string {
  const name = object.metadata?.name ?? '';
  const generated = (object.metadata as { generateName?: string } | undefined)?.generateName;
  return generated && name.startsWith(generated) ? `${generated}*` : name;
}

function scrub(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => scrub(item));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    // caBundle: istiod's CA of this start. clusterIP(s): allocated per start. nodePort: allocated.
    // uid / resourceVersion / timestamps / generation-like counters: the server's per write.
    if (['caBundle', 'clusterIP', 'clusterIPs', 'nodePort', 'uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'selfLink', 'healthCheckNodePort'].includes(key)) continue;
    out[key] = scrub(inner);
  }
  // The service account token volume's name ends in five random letters (the API server's).
  if (typeof out.name === 'string' && /^kube-api-access-[a-z0-9]{5}$/.test(out.name)) out.name = 'kube-api-access-*';
  // Which run of the suite wrote an object (the consent marker, the httpbin sample).
  const labels = out.labels as Record<string, unknown> | undefined;
  if (labels && typeof labels['istio-gateway-conformance/run'] === 'string') out.labels = { ...labels, 'istio-gateway-conformance/run': '*' };
  return out;
}

/** Every object in the cluster, by a stable id, without the per-start fields. */
export async function comparableObjects(kube: KubeClient): Promise<Map<string, unknown>> {
  const objects = new Map<string, unknown>();
  for (const { apiVersion, kind, listPath } of await listableResources(kube)) {
    if (SKIPPED_KINDS.has(kind)) continue;
    const page = await kube.transport.request<{ items?: KubeObject[] }>('GET', listPath);
    for (const item of page.items ?? []) {
      const namespace = item.metadata?.namespace ?? '';
      const id = `${apiVersion} ${kind} ${namespace}/${stableName(item)}`;
      const { status: _status, ...rest } = item as KubeObject & { status?: unknown };
      const metadata = { ...item.metadata, name: stableName(item), ownerReferences: undefined, generation: undefined, annotations: withoutPerStartAnnotations(item.metadata?.annotations) };
      const body = scrub({ ...rest, metadata }) as Record<string, unknown>;
      if (dataIsPerStart(kind, namespace, item.metadata?.name ?? '')) delete body.data;
      objects.set(id, body);
    }
  }
  return objects;
}

function withoutPerStartAnnotations(annotations: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!annotations) return undefined;
  // The control plane's per-start notes: a leader's identity, istiod's webhook patch times.
  const kept = Object.entries(annotations).filter(([key]) => !['control-plane.alpha.kubernetes.io/leader'].includes(key));
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

/** What differs between two clusters' objects: ids only in one, and ids whose bodies differ. */
export function objectDifferences(left: Map<string, unknown>, right: Map<string, unknown>): string[] {
  const differences: string[] = [];
  for (const id of new Set([...left.keys(), ...right.keys()])) {
    if (!left.has(id)) differences.push(`only in the second: ${id}`);
    else if (!right.has(id)) differences.push(`only in the first: ${id}`);
    else differences.push(...pathsThatDiffer(left.get(id), right.get(id), '').map((where) => `differs: ${id} at ${where}`));
  }
  return differences.sort();
}

function pathsThatDiffer(left: unknown, right: unknown, where: string): string[] {
  if (JSON.stringify(left) === JSON.stringify(right)) return [];
  const bothObjects = typeof left === 'object' && left !== null && typeof right === 'object' && right !== null && Array.isArray(left) === Array.isArray(right);
  if (!bothObjects) return [`${where || '.'}: ${JSON.stringify(left)?.slice(0, 200)} vs ${JSON.stringify(right)?.slice(0, 200)}`];
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  return [...keys].flatMap((key) => pathsThatDiffer((left as Record<string, unknown>)[key], (right as Record<string, unknown>)[key], `${where}.${key}`));
}
