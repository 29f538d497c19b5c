// `kubectl logs --since-time`: a container's log since a moment, as text.
import type { KubeClient } from './connect';
import { toKubeError } from './errors';

export interface LogsRequest {
  namespace: string;
  pod: string;
  /** Needed when the pod has several containers (the API server says which it has). */
  container?: string;
  /** Only lines logged at or after this moment (the API has a resolution of one second). */
  since?: Date;
  tailLines?: number;
  /** The log of the previous, terminated, instance of the container. */
  previous?: boolean;
}

/** RFC 3339 to the second, rounded down, so that no line of the starting second is missed. */
export function sinceTimeParam(since: Date): string {
  return new Date(Math.floor(since.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The container's log as text (the whole log, or since a moment). */
export async function logs(kube: KubeClient, request: LogsRequest): Promise<string> {
  const path = `/api/v1/namespaces/${encodeURIComponent(request.namespace)}/pods/${encodeURIComponent(request.pod)}/log`;
  try {
    return await kube.transport.request<string>('GET', path, {
      responseType: 'text',
      query: {
        container: request.container,
        sinceTime: request.since ? sinceTimeParam(request.since) : undefined,
        tailLines: request.tailLines,
        previous: request.previous ? true : undefined,
      },
    });
  } catch (error) {
    throw toKubeError('logs of', { kind: 'Pod', namespace: request.namespace, name: request.pod, detail: request.container }, error, kube.server);
  }
}
