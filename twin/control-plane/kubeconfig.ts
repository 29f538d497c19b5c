// A kubeconfig for the twin's admin user, with every certificate and key embedded, so it works
// wherever it is copied. It holds a private key: written 0600.
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { adminUser, type ClusterPkiFiles } from './pki';

export const contextName = 'twin';

export function adminKubeconfig(server: string, pki: ClusterPkiFiles): string {
  const b64 = (file: string) => fs.readFileSync(file).toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: contextName, cluster: { server, 'certificate-authority-data': b64(pki.caCert) } }],
    users: [{ name: adminUser, user: { 'client-certificate-data': b64(pki.adminCert), 'client-key-data': b64(pki.adminKey) } }],
    contexts: [{ name: contextName, context: { cluster: contextName, user: adminUser } }],
    'current-context': contextName,
  });
}

export function writeKubeconfig(file: string, content: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, content, { mode: 0o600 });
  fs.chmodSync(temporary, 0o600);
  fs.renameSync(temporary, file);
}
