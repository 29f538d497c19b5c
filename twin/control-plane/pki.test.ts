import { afterAll, describe, expect, test } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { adminKubeconfig } from './kubeconfig';
import { ensureClusterPki } from './pki';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'igc-pki-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('cluster PKI', () => {
  test('serving certs name the node address and the kubernetes Service; keys are 0600; reused while they fit', async () => {
    const first = await ensureClusterPki(dir, { nodeName: 'twin-node', nodeAddress: '10.250.7.2' });
    expect(first.made).toBe(true);
    const ca = new X509Certificate(fs.readFileSync(first.files.caCert));
    const apiserver = new X509Certificate(fs.readFileSync(first.files.apiserverCert));
    expect(apiserver.verify(ca.publicKey)).toBe(true);
    for (const name of ['IP Address:10.250.7.2', 'IP Address:10.96.0.1', 'IP Address:127.0.0.1', 'DNS:kubernetes.default.svc', 'DNS:localhost']) {
      expect(apiserver.subjectAltName).toContain(name);
    }
    expect(new X509Certificate(fs.readFileSync(first.files.kubeletCert)).subjectAltName).toContain('IP Address:10.250.7.2');
    expect(new X509Certificate(fs.readFileSync(first.files.adminCert)).subject).toContain('O=system:masters');
    for (const key of [first.files.caKey, first.files.apiserverKey, first.files.adminKey, first.files.saKey, first.files.kubeletKey]) {
      expect(fs.statSync(key).mode & 0o777).toBe(0o600);
    }

    const again = await ensureClusterPki(dir, { nodeName: 'twin-node', nodeAddress: '10.250.7.2' });
    expect(again.made).toBe(false);
    const moved = await ensureClusterPki(dir, { nodeName: 'twin-node', nodeAddress: '10.250.8.2' });
    expect(moved.made).toBe(true);
    expect(new X509Certificate(fs.readFileSync(moved.files.apiserverCert)).subjectAltName).toContain('IP Address:10.250.8.2');

    const kubeconfig = parse(adminKubeconfig('https://10.250.8.2:6443', moved.files)) as {
      clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
      users: { user: { 'client-certificate-data': string } }[];
    };
    expect(kubeconfig.clusters[0]!.cluster.server).toBe('https://10.250.8.2:6443');
    expect(Buffer.from(kubeconfig.clusters[0]!.cluster['certificate-authority-data'], 'base64').toString()).toBe(fs.readFileSync(moved.files.caCert, 'utf8'));
  });
});
