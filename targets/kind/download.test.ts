// The downloader against a real HTTP server on 127.0.0.1 (node:http): a good download, a corrupted
// file, a 404, an archive, and cache hits that need no network.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../helpers/config';
import { ensureDownloaded, lookupCache, parsePublishedChecksum, STAMP_FILE, toolDir, toolsRoot } from './download';
import { toolAsset, type ToolAsset } from './pins';
import type { Platform } from './platform';

const platform: Platform = { os: 'linux', arch: 'amd64', key: 'linux-amd64' };
const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

const kindBinary = Buffer.from('#!/bin/sh\necho "kind v9.9.9 go1.26 linux/amd64"\n');
let istioctlArchive: Buffer;

let server: http.Server;
let base: string;
let requests: string[] = [];
let tmp: string;
let cacheDir: string;

// Served like a release site: /<owner>/<repo>/releases/download/<version>/<asset>.
const routes = new Map<string, Buffer>();

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cluster-download-'));
  const src = path.join(tmp, 'src');
  await mkdir(src);
  await writeFile(path.join(src, 'istioctl'), '#!/bin/sh\necho "client version: 9.9.9"\n');
  await chmod(path.join(src, 'istioctl'), 0o755);
  execFileSync('tar', ['-czf', path.join(tmp, 'istioctl.tar.gz'), '-C', src, 'istioctl']);
  istioctlArchive = await readFile(path.join(tmp, 'istioctl.tar.gz'));
  routes.set('/kubernetes-sigs/kind/releases/download/v9.9.9/kind-linux-amd64', kindBinary);
  routes.set('/kubernetes-sigs/kind/releases/download/v9.9.8/kind-linux-amd64', Buffer.from('not the file that was pinned'));
  routes.set('/istio/istio/releases/download/9.9.9/istioctl-9.9.9-linux-amd64.tar.gz', istioctlArchive);
  // Releases without a pinned checksum, each with the .sha256 file Istio publishes beside the asset.
  const release = (version: string) => `/istio/istio/releases/download/${version}/istioctl-${version}-linux-amd64.tar.gz`;
  routes.set(release('9.9.6'), istioctlArchive);
  routes.set(`${release('9.9.6')}.sha256`, Buffer.from(`${sha(istioctlArchive)}  istioctl-9.9.6-linux-amd64.tar.gz\n`));
  routes.set(release('9.9.5'), istioctlArchive);
  routes.set(`${release('9.9.5')}.sha256`, Buffer.from(`${sha('another archive')}  istioctl-9.9.5-linux-amd64.tar.gz\n`));
  routes.set(release('9.9.4'), istioctlArchive);
  routes.set(release('9.9.3'), istioctlArchive);
  routes.set(`${release('9.9.3')}.sha256`, Buffer.from(`${sha(istioctlArchive)}  istioctl-9.9.3-osx.tar.gz\n`));
  server = http.createServer((request, response) => {
    requests.push(request.url ?? '');
    const body = routes.get(request.url ?? '');
    if (!body) {
      response.writeHead(404, 'Not Found').end('no such asset');
      return;
    }
    response.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(tmp, { recursive: true, force: true });
});

beforeEach(async () => {
  requests = [];
  cacheDir = await mkdtemp(path.join(tmp, 'cache-'));
});

function kind(version: string, sum: string | undefined): ToolAsset {
  return toolAsset('kind', platform, { KIND_VERSION: version, TOOLS_BASE_URL: base, ...(sum ? { KIND_SHA256: sum } : {}) });
}

async function leftovers(): Promise<string[]> {
  return readdir(toolsRoot(cacheDir)).catch(() => []);
}

async function failure(promise: Promise<unknown>): Promise<UsageError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsageError);
  return error as UsageError;
}

describe('ensureDownloaded', () => {
  test('downloads once into CACHE_DIR/tools/<name>@<version>/, verified, executable, stamped', async () => {
    const lines: string[] = [];
    const binary = await ensureDownloaded(kind('v9.9.9', sha(kindBinary)), { cacheDir, log: (line) => lines.push(line) });
    expect(binary).toBe(path.join(cacheDir, 'tools', 'kind@v9.9.9', 'kind'));
    expect(await readFile(binary)).toEqual(kindBinary);
    expect((await stat(binary)).mode & 0o777).toBe(0o755);
    expect(execFileSync(binary, { encoding: 'utf8' })).toContain('kind v9.9.9');
    const stamp = JSON.parse(await readFile(path.join(toolDir(cacheDir, { name: 'kind', version: 'v9.9.9' }), STAMP_FILE), 'utf8')) as Record<string, string>;
    expect(stamp).toMatchObject({ sha256: sha(kindBinary), binarySha256: sha(kindBinary), sha256Source: 'setting', platform: 'linux-amd64' });
    expect(await leftovers()).toEqual(['kind@v9.9.9']);
    expect(lines[0]).toBe(`downloading kind v9.9.9 (linux-amd64) from ${base}/kubernetes-sigs/kind/releases/download/v9.9.9/kind-linux-amd64`);
    expect(lines[1]).toMatch(/^downloaded kind v9\.9\.9: \d+ B in \d+ ms, sha256 verified$/);
  });

  test('a corrupted file stops with one line naming both checksums, and nothing is left in the cache', async () => {
    const expected = sha('the file the release published');
    const error = await failure(ensureDownloaded(kind('v9.9.8', expected), { cacheDir }));
    expect(error.message).toBe(
      `checksum mismatch for kind v9.9.8 from ${base}/kubernetes-sigs/kind/releases/download/v9.9.8/kind-linux-amd64: expected sha256 ${expected} (KIND_SHA256), ` +
        `got ${sha('not the file that was pinned')}; nothing was kept (a damaged download, a wrong mirror in TOOLS_BASE_URL, or a changed release)`,
    );
    expect(error.message).not.toContain('\n');
    expect(await leftovers()).toEqual([]);
    expect((await lookupCache(kind('v9.9.8', expected), cacheDir)).state).toBe('miss');
  });

  test('a 404 stops with one line naming the status and the URL, and nothing is left', async () => {
    const error = await failure(ensureDownloaded(kind('v9.9.7', sha('x')), { cacheDir }));
    expect(error.message).toBe(
      `downloading kind v9.9.7 failed: HTTP 404 Not Found (${base}/kubernetes-sigs/kind/releases/download/v9.9.7/kind-linux-amd64); ` +
        'check the network or TOOLS_BASE_URL, or install kind v9.9.7 yourself on PATH',
    );
    expect(await leftovers()).toEqual([]);
  });

  test('no server at the base URL: one line with the connection error', async () => {
    const closed = toolAsset('kind', platform, { KIND_VERSION: 'v9.9.9', TOOLS_BASE_URL: 'http://127.0.0.1:9', KIND_SHA256: sha(kindBinary) });
    const error = await failure(ensureDownloaded(closed, { cacheDir }));
    expect(error.message).toMatch(/^downloading kind v9\.9\.9 failed: ECONNREFUSED \(http:\/\/127\.0\.0\.1:9\/.*\); check the network/);
    expect(await leftovers()).toEqual([]);
  });

  test('without a checksum it refuses before any request', async () => {
    const error = await failure(ensureDownloaded(kind('v9.9.9', undefined), { cacheDir }));
    expect(error.message).toMatch(/^no published checksum pinned for kind v9\.9\.9 \(linux-amd64\).*set KIND_SHA256/);
    expect(requests).toEqual([]);
  });

  test('a cache hit sends no request, even with the network gone', async () => {
    const asset = kind('v9.9.9', sha(kindBinary));
    const first = await ensureDownloaded(asset, { cacheDir });
    expect(requests).toHaveLength(1);
    const offline = { ...asset, url: 'http://127.0.0.1:9/unreachable' };
    expect(await ensureDownloaded(offline, { cacheDir })).toBe(first);
    expect(requests).toHaveLength(1);
  });

  test('a cached binary that changed after it was verified is fetched again', async () => {
    const asset = kind('v9.9.9', sha(kindBinary));
    const binary = await ensureDownloaded(asset, { cacheDir });
    await writeFile(binary, 'tampered');
    expect(await lookupCache(asset, cacheDir)).toEqual({ state: 'miss', why: 'cached binary changed since it was verified' });
    await ensureDownloaded(asset, { cacheDir });
    expect(await readFile(binary)).toEqual(kindBinary);
    expect(requests).toHaveLength(2);
  });

  test('unpacks the istioctl archive and keeps only the binary', async () => {
    const asset = toolAsset('istioctl', platform, { ISTIO_VERSION: '9.9.9', TOOLS_BASE_URL: base, ISTIOCTL_SHA256: sha(istioctlArchive) });
    const binary = await ensureDownloaded(asset, { cacheDir });
    expect(binary).toBe(path.join(cacheDir, 'tools', 'istioctl@9.9.9', 'istioctl'));
    expect(execFileSync(binary, { encoding: 'utf8' })).toBe('client version: 9.9.9\n');
    expect((await readdir(path.dirname(binary))).sort()).toEqual([STAMP_FILE, 'istioctl']);
  });
});

describe('istioctl against the checksum its release publishes (no pinned sha256)', () => {
  const published = (version: string) => toolAsset('istioctl', platform, { ISTIO_VERSION: version, TOOLS_BASE_URL: base });
  const assetPath = (version: string) => `/istio/istio/releases/download/${version}/istioctl-${version}-linux-amd64.tar.gz`;

  test('fetches <asset>.sha256 first, verifies the archive against it, and stamps where it came from', async () => {
    const binary = await ensureDownloaded(published('9.9.6'), { cacheDir });
    expect(execFileSync(binary, { encoding: 'utf8' })).toBe('client version: 9.9.9\n'); // the one test archive
    expect(requests).toEqual([`${assetPath('9.9.6')}.sha256`, assetPath('9.9.6')]);
    const stamp = JSON.parse(await readFile(path.join(path.dirname(binary), STAMP_FILE), 'utf8')) as Record<string, string>;
    expect(stamp).toMatchObject({ sha256: sha(istioctlArchive), sha256Source: 'published' });
  });

  test('an archive that does not match the published sha256 is refused, and nothing is kept', async () => {
    const error = await failure(ensureDownloaded(published('9.9.5'), { cacheDir }));
    expect(error.message).toBe(
      `checksum mismatch for istioctl 9.9.5 from ${base}${assetPath('9.9.5')}: expected sha256 ${sha('another archive')} (published at ${base}${assetPath('9.9.5')}.sha256), ` +
        `got ${sha(istioctlArchive)}; nothing was kept (a damaged download, a wrong mirror in TOOLS_BASE_URL, or a changed release)`,
    );
    expect(await leftovers()).toEqual([]);
  });

  test('a checksum file that cannot be fetched stops with one line before the archive is requested', async () => {
    const error = await failure(ensureDownloaded(published('9.9.4'), { cacheDir }));
    expect(error.message).toBe(
      `could not fetch the published checksum of istioctl 9.9.4: HTTP 404 Not Found (${base}${assetPath('9.9.4')}.sha256); nothing was downloaded; ` +
        'check the network or TOOLS_BASE_URL, or install istioctl 9.9.4 yourself on PATH, or set ISTIOCTL_SHA256 to the sha256 Istio publishes there',
    );
    expect(requests).not.toContain(assetPath('9.9.4'));
    expect(await leftovers()).toEqual([]);
  });

  test('a checksum file for another asset is refused', async () => {
    const error = await failure(ensureDownloaded(published('9.9.3'), { cacheDir }));
    expect(error.message).toBe(
      `the published checksum of istioctl 9.9.3 at ${base}${assetPath('9.9.3')}.sha256 is for istioctl-9.9.3-osx.tar.gz, not istioctl-9.9.3-linux-amd64.tar.gz; nothing was downloaded; check TOOLS_BASE_URL`,
    );
    expect(requests).not.toContain(assetPath('9.9.3'));
  });
});

describe('parsePublishedChecksum', () => {
  test('reads sha256sum output (text or binary mode) and a bare digest; refuses anything else', () => {
    const digest = 'AB'.repeat(32);
    expect(parsePublishedChecksum(`${digest}  istioctl-1.31.1-linux-amd64.tar.gz\n`, 'istioctl-1.31.1-linux-amd64.tar.gz')).toBe(digest.toLowerCase());
    expect(parsePublishedChecksum(`${digest} *istioctl-1.31.1-osx.tar.gz`, 'istioctl-1.31.1-osx.tar.gz')).toBe(digest.toLowerCase());
    expect(parsePublishedChecksum(digest, 'x')).toBe(digest.toLowerCase());
    expect(parsePublishedChecksum('<html>Not Found</html>', 'x')).toEqual({ problem: 'holds no sha256 (expected "<64 hex digits>  <file name>")' });
  });
});
