// SG-C1: the doc's four folders and file names, and who may read the keys.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { docLayoutPaths, makeDocChain, writeDocLayout, type DocChain, type DocLayout } from './index';

// RSA key generation is random and shares 2 cores with other work: give it room (the budget is
// measured by scripts/bench-certs, not here).
jest.setTimeout(30_000);

let tmp: string;
let chain: DocChain;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'pki-layout-'));
  chain = await makeDocChain({ keyType: 'ecdsa' }); // the layout does not depend on the key type
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const mode = async (file: string) => (await stat(file)).mode & 0o777;

async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

describe('SG-C1 the layout of generate.sh', () => {
  let layout: DocLayout;
  beforeAll(async () => {
    layout = await writeDocLayout(chain, path.join(tmp, 'doc'));
  });

  test('the four folders with the file names the doc uses', async () => {
    expect(await listTree(layout.dir)).toEqual([
      '1_root/certs/ca.cert.pem',
      '1_root/private/ca.key.pem',
      '2_intermediate/certs/ca-chain.cert.pem',
      '2_intermediate/certs/intermediate.cert.pem',
      '2_intermediate/private/intermediate.key.pem',
      '3_application/certs/httpbin.example.com.cert.pem',
      '3_application/private/httpbin.example.com.key.pem',
      '4_client/certs/httpbin.example.com.cert.pem',
      '4_client/private/httpbin.example.com.key.pem',
    ]);
    expect(layout).toEqual(docLayoutPaths(path.join(tmp, 'doc'), 'httpbin.example.com'));
    expect(path.isAbsolute(layout.serverKey)).toBe(true);
  });

  test('each file holds its part of the chain; keys are PKCS#8', async () => {
    expect(await readFile(layout.serverCert, 'utf8')).toBe(chain.server.certPem);
    expect(await readFile(layout.clientKey, 'utf8')).toBe(chain.client.keyPem);
    for (const key of [layout.rootKey, layout.intermediateKey, layout.serverKey, layout.clientKey]) {
      expect(await readFile(key, 'utf8')).toMatch(/^-----BEGIN PRIVATE[ ]KEY-----\n[\s\S]+\n-----END PRIVATE[ ]KEY-----\n$/);
    }
  });

  test('keys 0600 in 0700 folders, certificates 0644 in 0755 folders', async () => {
    for (const key of [layout.rootKey, layout.intermediateKey, layout.serverKey, layout.clientKey]) {
      expect([key, await mode(key)]).toEqual([key, 0o600]);
      expect([key, await mode(path.dirname(key))]).toEqual([key, 0o700]);
    }
    for (const cert of [layout.rootCert, layout.intermediateCert, layout.caChain, layout.serverCert, layout.clientCert]) {
      expect([cert, await mode(cert)]).toEqual([cert, 0o644]);
      expect([cert, await mode(path.dirname(cert))]).toEqual([cert, 0o755]);
    }
  });
});

test('SG-C1 writing over an earlier layout (read-only files, as generate.sh leaves them) fixes the modes', async () => {
  const dir = path.join(tmp, 'again');
  const stale = docLayoutPaths(dir, chain.host);
  await mkdir(path.dirname(stale.serverKey), { recursive: true, mode: 0o777 });
  await chmod(path.dirname(stale.serverKey), 0o777);
  await writeFile(stale.serverKey, 'old key', { mode: 0o444 });
  await chmod(stale.serverKey, 0o444);
  const layout = await writeDocLayout(chain, dir);
  expect(await readFile(layout.serverKey, 'utf8')).toBe(chain.server.keyPem);
  expect(await mode(layout.serverKey)).toBe(0o600);
  expect(await mode(path.dirname(layout.serverKey))).toBe(0o700);
});
