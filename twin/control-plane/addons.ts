// The cluster add-ons the twin applies once pods can run: CoreDNS as kube-dns
// (fixtures/twin/coredns.yaml). Created, not replaced: an existing object is left as it is.
import fs from 'node:fs';
import path from 'node:path';
import { ApiException, KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

export const coreDnsManifest = path.join(__dirname, '..', '..', 'fixtures', 'twin', 'coredns.yaml');

export function readManifests(file: string): KubernetesObject[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map((doc) => doc.toJS() as KubernetesObject | null)
    .filter((object): object is KubernetesObject => object !== null && typeof object === 'object');
}

export async function createManifests(kubeConfig: KubeConfig, objects: KubernetesObject[]): Promise<void> {
  const client = KubernetesObjectApi.makeApiClient(kubeConfig);
  for (const object of objects) {
    try {
      await client.create(object);
    } catch (error) {
      if (error instanceof ApiException && error.code === 409) continue;
      throw error;
    }
  }
}
