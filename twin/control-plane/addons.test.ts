import { describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { clusterDnsIp } from '../node/addresses';
import { coreDnsManifest, readManifests } from './addons';

describe('CoreDNS manifests', () => {
  const objects = readManifests(coreDnsManifest);

  test('the kube-dns Service has the cluster DNS address', () => {
    const service = objects.find((o) => o.kind === 'Service') as { metadata: { name: string; namespace: string }; spec: { clusterIP: string } };
    expect(service.metadata).toMatchObject({ name: 'kube-dns', namespace: 'kube-system' });
    expect(service.spec.clusterIP).toBe(clusterDnsIp);
  });

  test('the Deployment runs the CoreDNS version the twin builds', () => {
    const deployment = objects.find((o) => o.kind === 'Deployment') as { spec: { template: { spec: { containers: { image: string }[] } } } };
    const image = deployment.spec.template.spec.containers[0]!.image;
    expect(image).toBe(`registry.k8s.io/coredns/coredns:${(JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'versions.json'), 'utf8')) as { coredns: { version: string } }).coredns.version}`);
  });
});
