// What the API server serves that can be listed: core and every group's preferred version, each
// resource with its list path (subresources left out), as discovery tells it.
import type { KubeClient } from './connect';

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

/** Every resource the server lists (core and every group's preferred version), with its list path. */
export async function listableResources(kube: KubeClient): Promise<Array<{ apiVersion: string; kind: string; listPath: string }>> {
  const core = await kube.transport.request<{ resources: ApiResource[] }>('GET', '/api/v1');
  const groups = await kube.transport.request<{ groups: Array<{ preferredVersion: { groupVersion: string } }> }>('GET', '/apis');
  const lists = [{ apiVersion: 'v1', prefix: '/api/v1', resources: core.resources }];
  for (const group of groups.groups) {
    const groupVersion = group.preferredVersion.groupVersion;
    const answer = await kube.transport.request<{ resources: ApiResource[] }>('GET', `/apis/${groupVersion}`);
    lists.push({ apiVersion: groupVersion, prefix: `/apis/${groupVersion}`, resources: answer.resources });
  }
  return lists.flatMap(({ apiVersion, prefix, resources }) =>
    resources
      .filter((resource) => !resource.name.includes('/') && resource.verbs.includes('list'))
      .map((resource) => ({ apiVersion, kind: resource.kind, listPath: `${prefix}/${resource.name}` })),
  );
}

