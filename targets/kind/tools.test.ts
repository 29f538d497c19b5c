import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { STAMP_FILE, toolDir } from './download';
import type { Platform } from './platform';
import { describeToolPlan, ensureTool, parseIstioctlVersion, parseKindVersion, planTool, type ToolProbe } from './tools';

const platform: Platform = { os: 'linux', arch: 'amd64', key: 'linux-amd64' };
let cacheDir: string;
beforeAll(async () => {
  cacheDir = await mkdtemp(path.join(os.tmpdir(), 'cluster-tools-'));
});
afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

function probe(onPath: Record<string, string>): ToolProbe {
  return {
    which: async (name) => (name in onPath ? `/usr/local/bin/${name}` : undefined),
    version: async (binary) => onPath[path.basename(binary)],
  };
}

describe('version parsing', () => {
  test('reads `kind version`', () => {
    expect(parseKindVersion('kind v0.33.0 go1.26.8 linux/amd64\n')).toBe('v0.33.0');
    expect(parseKindVersion('kind v0.34.0-alpha+abc go1.27 darwin/arm64')).toBe('v0.34.0-alpha+abc');
    expect(parseKindVersion('something else')).toBeUndefined();
  });

  test('reads `istioctl version --remote=false`, labelled or bare', () => {
    expect(parseIstioctlVersion('client version: 1.30.4\n')).toBe('1.30.4');
    expect(parseIstioctlVersion('1.29.6\n')).toBe('1.29.6');
    expect(parseIstioctlVersion('client version: 1.31-dev\n')).toBe('1.31-dev');
    expect(parseIstioctlVersion('no version here')).toBeUndefined();
  });
});

describe('planTool', () => {
  const settings = { CACHE_DIR: '', ISTIO_VERSION: '1.30.4' };

  test('uses the tool on PATH when it is the pinned version', async () => {
    const plan = await planTool('kind', { settings: { ...settings, CACHE_DIR: cacheDir }, platform, probe: probe({ kind: 'v0.33.0' }) });
    expect(plan).toMatchObject({ source: 'path', binary: '/usr/local/bin/kind' });
    expect(describeToolPlan(plan)).toBe('kind v0.33.0: /usr/local/bin/kind (on PATH)');
  });

  test('passes over another version on PATH, says so, and plans the verified download', async () => {
    const plan = await planTool('kind', { settings: { ...settings, CACHE_DIR: cacheDir }, platform, probe: probe({ kind: 'v0.29.0' }) });
    expect(plan).toMatchObject({ source: 'download', note: '/usr/local/bin/kind is kind v0.29.0, not the pinned v0.33.0: not used' });
    expect(describeToolPlan(plan)).toContain('download https://github.com/kubernetes-sigs/kind/releases/download/v0.33.0/kind-linux-amd64, check sha256 aee61515');
  });

  test('plans an istioctl without a pinned checksum as a download checked against the release\'s .sha256', async () => {
    const plan = await planTool('istioctl', { settings: { ...settings, CACHE_DIR: cacheDir }, platform, probe: probe({}) });
    expect(plan.source).toBe('download');
    const url = 'https://github.com/istio/istio/releases/download/1.30.4/istioctl-1.30.4-linux-amd64.tar.gz';
    expect(describeToolPlan(plan)).toBe(`istioctl 1.30.4: download ${url}, check it against the sha256 published at ${url}.sha256 (fetched first)`);
  });

  test('refuses a kind without any checksum, and carries the line', async () => {
    const plan = await planTool('kind', { settings: { ...settings, CACHE_DIR: cacheDir, KIND_VERSION: 'v0.99.0' }, platform, probe: probe({}) });
    expect(plan.source).toBe('refused');
    await expect(ensureTool(plan, { cacheDir })).rejects.toThrow(/^no published checksum pinned for kind v0\.99\.0/);
  });

  test('finds a verified copy in the cache without asking for a checksum again', async () => {
    const version = '1.30.4';
    const dir = toolDir(cacheDir, { name: 'istioctl', version });
    await mkdir(dir, { recursive: true });
    const body = 'istioctl';
    await writeFile(path.join(dir, 'istioctl'), body, { mode: 0o755 });
    const binarySha256 = createHash('sha256').update(body).digest('hex');
    await writeFile(path.join(dir, STAMP_FILE), JSON.stringify({ name: 'istioctl', version, platform: 'linux-amd64', sha256: 'f'.repeat(64), sha256Source: 'setting', binarySha256 }));
    const plan = await planTool('istioctl', { settings: { ...settings, CACHE_DIR: cacheDir }, platform, probe: probe({ istioctl: '1.29.0' }) });
    expect(plan).toMatchObject({ source: 'cache', binary: path.join(dir, 'istioctl') });
    expect(await ensureTool(plan, { cacheDir })).toBe(path.join(dir, 'istioctl'));
  });
});
