// The twin's preflight: what it decides for each host (pure), how fast it reads the real host, and
// `npm test` as a user without root: one line, exit 2, within seconds, before anything is built.
import { describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { findTool } from './node/prerequisites';
import { COLD_BUILD_BYTES, gatherHostFacts, hostFiles, hostTools, planPreflight, selftestTools, toolsFor, type HostFacts } from './preflight';

const ready: HostFacts = {
  platform: 'linux',
  uid: 0,
  netns: true,
  missingTools: [],
  missingFiles: [],
  goVersion: 'go1.26.8',
  buildNeeded: true,
  freeBytes: 80 * 1024 ** 3,
  freePath: '/root/.cache',
  aptGet: '/usr/bin/apt-get',
};
const nft = hostTools.find((tool) => tool.name === 'nft')!;
const bwrap = hostTools.find((tool) => tool.name === 'bwrap')!;

describe('the plan for a host (pure)', () => {
  test('a complete host is ready', () => {
    expect(planPreflight(ready, 'auto')).toEqual({ kind: 'ready' });
  });

  test('missing Debian packages are installed as root with apt-get, saying what, why and how to opt out', () => {
    const plan = planPreflight({ ...ready, missingTools: [nft, bwrap], missingFiles: hostFiles }, 'auto');
    expect(plan).toEqual({ kind: 'install', packages: ['nftables', 'bubblewrap', 'python3-httpbin'], line: expect.stringMatching(/^installing nftables bubblewrap python3-httpbin with apt-get for the twin: nft \(nftables: kube-proxy's nftables mode\).*\(set INSTALL_PACKAGES=never to stop instead\)$/) });
  });

  test("the self-tests' browser is installed with the twin's packages, and the line says it is for the self-tests", () => {
    const chromium = selftestTools.find((tool) => tool.name === 'chromium')!;
    const plan = planPreflight({ ...ready, missingTools: [nft, chromium] }, 'auto');
    expect(plan).toEqual({ kind: 'install', packages: ['nftables', 'chromium'], line: expect.stringMatching(/^installing nftables chromium with apt-get for the twin and the self-tests: .*chromium \(chromium: the HTML report's check in a real browser/) });
    expect(planPreflight({ ...ready, missingTools: [chromium] }, 'never')).toEqual({ kind: 'stop', line: expect.stringContaining('install them with `apt-get update && apt-get install -y chromium`') });
  });

  test('npm test checks only what the twin needs: the browser is checked for the self-tests alone', () => {
    expect(toolsFor('twin')).toEqual(hostTools);
    expect(toolsFor('twin').map((tool) => tool.name)).not.toContain('chromium');
    expect(toolsFor('selftest').map((tool) => tool.name)).toEqual([...hostTools.map((tool) => tool.name), 'chromium']);
  });

  test('INSTALL_PACKAGES=never, or no apt-get: stop with the one command that fixes it', () => {
    expect(planPreflight({ ...ready, missingTools: [nft] }, 'never')).toEqual({ kind: 'stop', line: expect.stringContaining('install them with `apt-get update && apt-get install -y nftables`') });
    expect(planPreflight({ ...ready, missingTools: [nft], aptGet: undefined }, 'auto')).toEqual({ kind: 'stop', line: expect.stringContaining('no apt-get: install the packages nftables') });
  });

  test('no root, no Linux, no network namespaces: stop first, naming the alternatives', () => {
    expect(planPreflight({ ...ready, uid: 1000, missingTools: [nft] }, 'auto')).toEqual({ kind: 'stop', line: expect.stringMatching(/^the twin needs root .*sudo -E npm test.*TARGET=kind .*TARGET=existing$/) });
    expect(planPreflight({ ...ready, platform: 'darwin' }, 'auto')).toEqual({ kind: 'stop', line: expect.stringMatching(/only on Linux .*not on darwin/) });
    expect(planPreflight({ ...ready, netns: false }, 'auto')).toEqual({ kind: 'stop', line: expect.stringMatching(/no network namespaces/) });
  });

  test('Go is needed, and new enough, only when something must be built', () => {
    expect(planPreflight({ ...ready, goVersion: null }, 'auto')).toEqual({ kind: 'stop', line: expect.stringMatching(/^go is not on PATH: the twin's first build needs Go >= 1\.26/) });
    expect(planPreflight({ ...ready, goVersion: 'go1.25.9' }, 'auto')).toEqual({ kind: 'stop', line: expect.stringMatching(/^go1\.25\.9 is too old/) });
    expect(planPreflight({ ...ready, goVersion: null, buildNeeded: false }, 'auto')).toEqual({ kind: 'ready' });
  });

  test('free disk: a cold build needs room for Go\'s caches, a warm run little', () => {
    expect(planPreflight({ ...ready, freeBytes: COLD_BUILD_BYTES - 1 }, 'auto')).toEqual({ kind: 'stop', line: expect.stringMatching(/first build needs about 12\.0 GiB free .* \/root\/\.cache has 12\.0 GiB/) });
    expect(planPreflight({ ...ready, freeBytes: COLD_BUILD_BYTES - 1, buildNeeded: false }, 'auto')).toEqual({ kind: 'ready' });
    expect(planPreflight({ ...ready, freeBytes: 100 * 1024 ** 2, buildNeeded: false }, 'auto')).toEqual({ kind: 'stop', line: expect.stringMatching(/needs about 1\.0 GiB free for its state/) });
  });
});

describe('on this host', () => {
  test('reading the host takes well under 2 s and finds what is on PATH', async () => {
    const started = Date.now();
    const facts = await gatherHostFacts({ cacheDir: path.join('/tmp', 'igc-preflight-test', 'cache'), buildNeeded: true });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(facts.missingTools.map((tool) => tool.name)).toEqual(hostTools.filter((tool) => !findTool(tool.name)).map((tool) => tool.name));
    expect(facts.freePath).toBe('/tmp');
    expect(facts.freeBytes).toBeGreaterThan(0);
  });

  test('a tool missing from PATH is reported missing', async () => {
    const facts = await gatherHostFacts({ cacheDir: '/tmp', buildNeeded: false, envPath: '/igc-nowhere' });
    // The sbin folders are always searched; curl and openssl live in /usr/bin only.
    expect(facts.missingTools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['curl', 'openssl']));
    expect(facts.missingTools.map((tool) => tool.name)).not.toContain('chromium');
    const forSelftest = await gatherHostFacts({ cacheDir: '/tmp', buildNeeded: false, envPath: '/igc-nowhere', tools: toolsFor('selftest') });
    expect(forSelftest.missingTools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['curl', 'openssl', 'chromium']));
  });

  const asRoot = process.getuid?.() === 0 && findTool('setpriv') ? test : test.skip;
  asRoot('npm test as a user without root: exit 2 within 5 s, one line, nothing built', async () => {
    const repo = path.resolve(__dirname, '..');
    const env = { ...process.env, HOME: '/tmp', CACHE_DIR: '/tmp/igc-preflight-nobody-cache', DOCKER_HOST: 'unix:///tmp/igc-no-docker.sock', TARGET: 'twin' };
    const started = Date.now();
    const run = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', 'scripts/conformance.ts'], { cwd: repo, env, encoding: 'utf8' }, (error, _stdout, stderr) =>
        resolve({ code: error ? Number(error.code) : 0, stderr }),
      ),
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(run.code).toBe(2);
    const errors = run.stderr.trim().split('\n').filter((line) => line.startsWith('error:'));
    expect(errors).toEqual([expect.stringMatching(/^error: .*the twin needs root/)]);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }, 20_000);
});
