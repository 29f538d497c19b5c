// The doc's files, in the folders generate.sh makes: 1_root, 2_intermediate (with ca-chain.cert.pem),
// 3_application (the server) and 4_client, each with certs/ and private/.
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DocChain, DocLayout } from './types';

export type DocRole = 'root' | 'intermediate' | 'server' | 'client';

const CERT_MODE = 0o644;
const KEY_MODE = 0o600;
const PUBLIC_DIR_MODE = 0o755;
const PRIVATE_DIR_MODE = 0o700;

/** Where each file of the layout lives under outDir (absolute), without touching the disk. */
export function docLayoutPaths(outDir: string, host: string): DocLayout {
  const dir = path.resolve(outDir);
  const at = (...parts: string[]): string => path.join(dir, ...parts);
  return {
    dir,
    rootCert: at('1_root', 'certs', 'ca.cert.pem'),
    rootKey: at('1_root', 'private', 'ca.key.pem'),
    intermediateCert: at('2_intermediate', 'certs', 'intermediate.cert.pem'),
    intermediateKey: at('2_intermediate', 'private', 'intermediate.key.pem'),
    caChain: at('2_intermediate', 'certs', 'ca-chain.cert.pem'),
    serverCert: at('3_application', 'certs', `${host}.cert.pem`),
    serverKey: at('3_application', 'private', `${host}.key.pem`),
    clientCert: at('4_client', 'certs', `${host}.cert.pem`),
    clientKey: at('4_client', 'private', `${host}.key.pem`),
  };
}

/** The four certificates of a layout in chain order, each with its certificate and key file. */
export function docFiles(layout: DocLayout): Array<{ role: DocRole; cert: string; key: string }> {
  return [
    { role: 'root', cert: layout.rootCert, key: layout.rootKey },
    { role: 'intermediate', cert: layout.intermediateCert, key: layout.intermediateKey },
    { role: 'server', cert: layout.serverCert, key: layout.serverKey },
    { role: 'client', cert: layout.clientCert, key: layout.clientKey },
  ];
}

export async function writeDocLayout(chain: DocChain, outDir: string): Promise<DocLayout> {
  const layout = docLayoutPaths(outDir, chain.host);
  const files: Array<[string, string, number]> = [
    ...docFiles(layout).flatMap(({ role, cert, key }): Array<[string, string, number]> => [
      [cert, chain[role].certPem, CERT_MODE],
      [key, chain[role].keyPem, KEY_MODE],
    ]),
    [layout.caChain, chain.caChainPem, CERT_MODE],
  ];
  await mkdir(layout.dir, { recursive: true });
  for (const [file, content, mode] of files) {
    await ensureDir(path.dirname(path.dirname(file)), PUBLIC_DIR_MODE);
    await ensureDir(path.dirname(file), mode === KEY_MODE ? PRIVATE_DIR_MODE : PUBLIC_DIR_MODE);
    await writeFileWithMode(file, content, mode);
  }
  return layout;
}

// chmod after mkdir/write: the umask narrows the modes given at creation, and a folder or file
// left by an earlier run keeps its old mode.
async function ensureDir(dir: string, mode: number): Promise<void> {
  await mkdir(dir, { recursive: true, mode });
  await chmod(dir, mode);
}

async function writeFileWithMode(file: string, content: string, mode: number): Promise<void> {
  // Replace rather than overwrite: generate.sh leaves its files read-only (0444), and a key must
  // never sit, even briefly, in a file with wider permissions.
  await rm(file, { force: true });
  await writeFile(file, content, { mode, flag: 'wx' });
  await chmod(file, mode);
}
