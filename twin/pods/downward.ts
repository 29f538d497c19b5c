// The downward API: pod fields and container resources as the kubelet renders them, for env vars
// (fieldRef, resourceFieldRef) and downwardAPI volume files alike.
import type { V1Container, V1ObjectFieldSelector, V1Pod, V1ResourceFieldSelector } from '@kubernetes/client-node';
import { parseQuantity } from './quantity';

/** What the kubelet knows about a pod that the API object may not hold yet. */
export interface PodRuntimeFacts {
  podIP: string;
  hostIP: string;
  /** The node's allocatable resources: what a limit-less container's limits.* report. */
  nodeAllocatable?: Record<string, string>;
}

/** The value of a fieldRef; throws for a path the downward API does not serve. */
export function fieldValue(pod: V1Pod, selector: V1ObjectFieldSelector, facts: PodRuntimeFacts): string {
  const path = selector.fieldPath;
  const meta = pod.metadata ?? {};
  const subscript = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (subscript) {
    const map = subscript[1] === 'labels' ? meta.labels : meta.annotations;
    return map?.[subscript[2]!] ?? '';
  }
  switch (path) {
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? '';
    case 'metadata.uid':
      return meta.uid ?? '';
    case 'metadata.labels':
      return formatMap(meta.labels);
    case 'metadata.annotations':
      return formatMap(meta.annotations);
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? 'default';
    case 'status.hostIP':
    case 'status.hostIPs':
      return facts.hostIP;
    case 'status.podIP':
    case 'status.podIPs':
      return facts.podIP;
    default:
      throw new Error(`unsupported fieldRef ${JSON.stringify(path)}`);
  }
}

/** `key="value"` lines sorted by key, as the kubelet writes labels and annotations (Go's %q). */
export function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((key) => `${key}=${JSON.stringify(map![key])}`)
    .join('\n');
}

/**
 * The value of a resourceFieldRef: the container's limit (its request for requests.*), or the
 * node's allocatable amount when no limit is set, divided by the divisor and rounded up.
 */
export function resourceValue(
  pod: V1Pod,
  selector: V1ResourceFieldSelector,
  facts: PodRuntimeFacts,
  defaultContainer?: string,
): string {
  const containerName = selector.containerName ?? defaultContainer;
  const container: V1Container | undefined = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find(
    (c) => c.name === containerName,
  );
  const [kind, resource] = selector.resource.split('.', 2) as [string, string | undefined];
  if (!container || !resource || (kind !== 'limits' && kind !== 'requests')) {
    throw new Error(`unsupported resourceFieldRef ${JSON.stringify(selector.resource)} for container ${String(containerName)}`);
  }
  const limits = container.resources?.limits ?? {};
  const requests = container.resources?.requests ?? {};
  let amount: string | undefined = kind === 'limits' ? limits[resource] : (requests[resource] ?? limits[resource]);
  if (amount === undefined && kind === 'limits') amount = facts.nodeAllocatable?.[resource];
  const value = amount === undefined ? 0 : parseQuantity(amount);
  const divisor = selector.divisor === undefined ? 1 : parseQuantity(selector.divisor);
  if (divisor === 0) throw new Error(`resourceFieldRef ${selector.resource}: divisor 0`);
  // Rounded up as the kubelet does (1 m of CPU with divisor 1 reports 1).
  return String(Math.ceil(value / divisor - 1e-9));
}
