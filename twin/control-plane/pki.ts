// The cluster's certificates and keys, kept in <state>/pki and reused while they still fit (same
// node address, more than a week of validity left), so a warm start makes none:
// - ca: signs every serving and client certificate below; the API server trusts client certs it
//   signed (--client-ca-file), and kubeconfigs trust it for the server;
// - apiserver: serving cert for the node address, the `kubernetes` Service IP, localhost and the
//   kubernetes.default.svc names;
// - admin: client cert in system:masters, for the kubeconfig handed out and the components;
// - apiserver-kubelet-client: the API server's client cert towards the node's kubelet endpoint;
// - kubelet: serving cert of the node's kubelet endpoint (twin-kubelet-stream) for the node address;
// - front-proxy-ca / front-proxy-client: the aggregation layer's request-header authentication;
// - sa.key / sa.pub: the service-account token signing key pair (TokenRequest, projected tokens).
// ECDSA P-256 keeps generation fast; the service-account key is RSA, the algorithm every token
// verifier accepts. Key files are written 0600.
import { generateKeyPair, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { issueCertificate, type CertKeyPair } from '../../helpers/pki';
import { apiServiceIp, clusterDomain } from '../node/addresses';

export interface ClusterPkiFiles {
  dir: string;
  caCert: string;
  caKey: string;
  apiserverCert: string;
  apiserverKey: string;
  adminCert: string;
  adminKey: string;
  kubeletClientCert: string;
  kubeletClientKey: string;
  kubeletCert: string;
  kubeletKey: string;
  frontProxyCaCert: string;
  frontProxyClientCert: string;
  frontProxyClientKey: string;
  saKey: string;
  saPub: string;
}

export interface ClusterPkiRequest {
  nodeName: string;
  nodeAddress: string;
}

export const adminUser = 'twin-admin';
export const frontProxyClientName = 'front-proxy-client';
const manifestName = 'pki.json';
const renewBeforeMs = 7 * 24 * 3600 * 1000;
const validityMs = 365 * 24 * 3600 * 1000;

export function clusterPkiFiles(dir: string): ClusterPkiFiles {
  const f = (name: string) => path.join(dir, name);
  return {
    dir,
    caCert: f('ca.crt'),
    caKey: f('ca.key'),
    apiserverCert: f('apiserver.crt'),
    apiserverKey: f('apiserver.key'),
    adminCert: f('admin.crt'),
    adminKey: f('admin.key'),
    kubeletClientCert: f('apiserver-kubelet-client.crt'),
    kubeletClientKey: f('apiserver-kubelet-client.key'),
    kubeletCert: f('kubelet.crt'),
    kubeletKey: f('kubelet.key'),
    frontProxyCaCert: f('front-proxy-ca.crt'),
    frontProxyClientCert: f('front-proxy-client.crt'),
    frontProxyClientKey: f('front-proxy-client.key'),
    saKey: f('sa.key'),
    saPub: f('sa.pub'),
  };
}

/** Returns the PKI files, making them when missing, made for another node, or near expiry. */
export async function ensureClusterPki(dir: string, request: ClusterPkiRequest): Promise<{ files: ClusterPkiFiles; made: boolean }> {
  const files = clusterPkiFiles(dir);
  if (pkiFits(files, request)) return { files, made: false };
  await makeClusterPki(files, request);
  return { files, made: true };
}

function pkiFits(files: ClusterPkiFiles, request: ClusterPkiRequest): boolean {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(files.dir, manifestName), 'utf8')) as ClusterPkiRequest;
    if (manifest.nodeName !== request.nodeName || manifest.nodeAddress !== request.nodeAddress) return false;
    for (const file of Object.values(files)) if (file !== files.dir && !fs.existsSync(file)) return false;
    for (const cert of [files.caCert, files.apiserverCert, files.adminCert, files.kubeletCert, files.kubeletClientCert, files.frontProxyClientCert]) {
      const notAfter = Date.parse(new X509Certificate(fs.readFileSync(cert)).validTo);
      if (notAfter - Date.now() < renewBeforeMs) return false;
    }
    return true;
  } catch {
    return false;
  }
}

async function makeClusterPki(files: ClusterPkiFiles, request: ClusterPkiRequest): Promise<void> {
  fs.mkdirSync(files.dir, { recursive: true, mode: 0o700 });
  const notAfter = new Date(Date.now() + validityMs);
  const common = { keyType: 'ecdsa' as const, notAfter };
  const [ca, frontProxyCa, sa] = await Promise.all([
    issueCertificate({ ...common, subject: { CN: 'twin-ca' }, ca: { pathLength: 0 } }),
    issueCertificate({ ...common, subject: { CN: 'twin-front-proxy-ca' }, ca: { pathLength: 0 } }),
    serviceAccountKeys(),
  ]);
  const byCa = { ...common, issuer: ca };
  const [apiserver, admin, kubeletClient, kubelet, frontProxyClient] = await Promise.all([
    issueCertificate({
      ...byCa,
      subject: { CN: 'kube-apiserver' },
      dnsNames: ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.${clusterDomain}`, 'localhost', request.nodeName],
      ipAddresses: [request.nodeAddress, apiServiceIp, '127.0.0.1'],
      extendedKeyUsage: ['serverAuth'],
    }),
    issueCertificate({ ...byCa, subject: { O: 'system:masters', CN: adminUser }, extendedKeyUsage: ['clientAuth'] }),
    issueCertificate({ ...byCa, subject: { O: 'system:masters', CN: 'kube-apiserver-kubelet-client' }, extendedKeyUsage: ['clientAuth'] }),
    issueCertificate({
      ...byCa,
      subject: { CN: request.nodeName },
      dnsNames: [request.nodeName, 'localhost'],
      ipAddresses: [request.nodeAddress, '127.0.0.1'],
      extendedKeyUsage: ['serverAuth'],
    }),
    issueCertificate({ ...common, issuer: frontProxyCa, subject: { CN: frontProxyClientName }, extendedKeyUsage: ['clientAuth'] }),
  ]);
  writePair(files.caCert, files.caKey, ca);
  writePair(files.apiserverCert, files.apiserverKey, apiserver);
  writePair(files.adminCert, files.adminKey, admin);
  writePair(files.kubeletClientCert, files.kubeletClientKey, kubeletClient);
  writePair(files.kubeletCert, files.kubeletKey, kubelet);
  fs.writeFileSync(files.frontProxyCaCert, frontProxyCa.certPem);
  writePair(files.frontProxyClientCert, files.frontProxyClientKey, frontProxyClient);
  writeKey(files.saKey, sa.privateKeyPem);
  fs.writeFileSync(files.saPub, sa.publicKeyPem);
  fs.writeFileSync(path.join(files.dir, manifestName), `${JSON.stringify(request)}\n`);
}

async function serviceAccountKeys(): Promise<{ privateKeyPem: string; publicKeyPem: string }> {
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

function writePair(certFile: string, keyFile: string, pair: CertKeyPair): void {
  fs.writeFileSync(certFile, pair.certPem);
  writeKey(keyFile, pair.keyPem);
}

/** Private keys: mode 0600 from the moment the file exists. */
export function writeKey(file: string, pem: string): void {
  fs.rmSync(file, { force: true });
  fs.writeFileSync(file, pem, { mode: 0o600 });
}
