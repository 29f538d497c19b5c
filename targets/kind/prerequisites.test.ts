import { describe, expect, test } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../helpers/config';
import { checkDocker, checkKindPrerequisites, checkNetwork, type Check, type MachineChecks } from './prerequisites';

const ok = (detail: string): Check => ({ ok: true, detail });
const no = (reason: string): Check => ({ ok: false, reason });

function fakeChecks(results: { docker: Check; kubectl: Check; network: Check }, calls: string[]): MachineChecks {
  return {
    docker: async () => (calls.push('docker'), results.docker),
    kubectl: async () => (calls.push('kubectl'), results.kubectl),
    network: async (url) => (calls.push(`network ${url}`), results.network),
  };
}

describe('checkKindPrerequisites', () => {
  const dockerDown = 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?';

  test('no Docker daemon: one line with the reason and both alternatives, and nothing else is looked at', async () => {
    const calls: string[] = [];
    const error = await checkKindPrerequisites(fakeChecks({ docker: no(dockerDown), kubectl: ok('kubectl'), network: ok('up') }, calls), async () => {
      calls.push('tools');
      return { needed: true, url: 'https://github.com' };
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      `TARGET=kind needs a Docker daemon that answers: ${dockerDown} Instead, use TARGET=existing with a kubeconfig of a test cluster, ` +
        'or TARGET=twin (needs Linux, root and Go on this machine)',
    );
    expect(calls).toEqual(['docker']);
  });

  test('checks the network only when a tool has to be downloaded', async () => {
    const calls: string[] = [];
    const checks = fakeChecks({ docker: ok('Docker 28.2.2'), kubectl: ok('kubectl v1.36.0'), network: no('github.com does not answer (ENOTFOUND)') }, calls);
    expect(await checkKindPrerequisites(checks, async () => ({ needed: false, url: 'https://github.com' }))).toEqual({ docker: 'Docker 28.2.2', kubectl: 'kubectl v1.36.0' });
    expect(calls).toEqual(['docker', 'kubectl']);
    await expect(checkKindPrerequisites(checks, async () => ({ needed: true, url: 'https://github.com' }))).rejects.toThrow(
      /^TARGET=kind needs the network, to download its tools from https:\/\/github\.com: github\.com does not answer \(ENOTFOUND\)\. Instead, use TARGET=existing/,
    );
  });

  test('no kubectl: its own line', async () => {
    const checks = fakeChecks({ docker: ok('Docker'), kubectl: no('kubectl is not on PATH'), network: ok('up') }, []);
    await expect(checkKindPrerequisites(checks, async () => ({ needed: false, url: '' }))).rejects.toThrow(/^TARGET=kind needs kubectl on PATH: kubectl is not on PATH\. Instead/);
  });
});

describe('the machine checks', () => {
  test('`docker info` against a daemon that is not there fails within its short timeout, with docker\'s own words', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'no-docker-'));
    try {
      const started = Date.now();
      const check = await checkDocker(5_000, { ...process.env, DOCKER_HOST: `unix://${dir}/docker.sock` });
      expect(Date.now() - started).toBeLessThan(5_500);
      expect(check.ok).toBe(false);
      if (!check.ok) expect(check.reason).toMatch(/Cannot connect to the Docker daemon|docker CLI is not installed/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('the network check: any HTTP answer counts, a closed port does not', async () => {
    const server = http.createServer((_request, response) => response.writeHead(405).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect(await checkNetwork(url)).toMatchObject({ ok: true });
      expect(await checkNetwork('http://127.0.0.1:9', 2_000)).toEqual({ ok: false, reason: '127.0.0.1:9 does not answer (ECONNREFUSED)' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
