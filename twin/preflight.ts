// Everything the twin needs from the host, checked before anything is built, downloaded or
// started (in well under 2 s): Linux, root, network namespaces, the Debian tools it calls, Go for
// the builds, free disk for the build cache, openssl. A missing Debian package is installed when
// the run is root and apt-get is there (one line says what, why and how to opt out); anything else
// missing stops the run at once with one line: what is missing and the one command that fixes it.
// The self-tests need one thing more, a real browser (`npm run preflight -- --for selftest`, which
// .ci/run calls); `npm test` never checks for it or installs it.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { UsageError, type Settings } from '../helpers/config';
import { unbuiltUnits } from './build';
import { findTool, nodeTools, type HostTool } from './node/prerequisites';
import { podTools } from './pods/host-tools';
import { pythonHttpbinModule } from './pods/images';

/** A file a Debian package brings (not a command on PATH). */
interface HostFile {
  file: string;
  debianPackage: string;
  why: string;
}

export const hostTools: HostTool[] = uniqueByName([
  ...nodeTools,
  ...podTools,
  { name: 'openssl', debianPackage: 'openssl', why: 'SG-C1 checks the chain with openssl verify' },
]);

/** What the self-tests need beyond the twin: the browser that checks the HTML report. */
export const selftestTools: HostTool[] = [{ name: 'chromium', debianPackage: 'chromium', why: "the HTML report's check in a real browser (helpers/report/html.browser.test.ts)" }];

/** Whom the host is checked for: a run on the twin, or the self-tests (the twin and a browser). */
export type PreflightPurpose = 'twin' | 'selftest';

export function toolsFor(purpose: PreflightPurpose): HostTool[] {
  return purpose === 'selftest' ? [...hostTools, ...selftestTools] : hostTools;
}

export const hostFiles: HostFile[] = [{ file: pythonHttpbinModule, debianPackage: 'python3-httpbin', why: "the old httpbin sample's Python httpbin" }];

/** Go the builds need: the Istio and Kubernetes pins' go directive (twin/build). */
export const MIN_GO: readonly [number, number] = [1, 26];

/** What a cold build writes (Go's build and module caches plus the binaries), with a margin: measured 6.8 + 3.2 + 0.7 GB. */
export const COLD_BUILD_BYTES = 12 * 1024 ** 3;
/** What a warm run writes (the twin's state, logs, reports). */
export const WARM_RUN_BYTES = 1024 ** 3;

export interface HostFacts {
  platform: NodeJS.Platform;
  uid: number | undefined;
  /** /proc/self/ns/net exists: the kernel has network namespaces. */
  netns: boolean;
  missingTools: HostTool[];
  missingFiles: HostFile[];
  /** `go env GOVERSION`, or null when go is not on PATH. */
  goVersion: string | null;
  /** Whether a build is needed (some pinned binary is not in the cache). */
  buildNeeded: boolean;
  /** Free bytes where the cache and Go's caches live (the smallest of them). */
  freeBytes: number | null;
  freePath: string;
  aptGet: string | undefined;
}

export type InstallPolicy = 'auto' | 'never';

export type PreflightPlan = { kind: 'ready' } | { kind: 'install'; packages: string[]; line: string } | { kind: 'stop'; line: string };

const ALTERNATIVES = 'or run on a test cluster: TARGET=kind (needs Docker) or TARGET=existing';

/** Pure: what to do about the facts. The first thing that cannot be installed stops the run. */
export function planPreflight(facts: HostFacts, policy: InstallPolicy): PreflightPlan {
  if (facts.platform !== 'linux') return stop(`the twin runs only on Linux (network namespaces), not on ${facts.platform}: ${ALTERNATIVES}`);
  if (facts.uid !== 0) return stop(`the twin needs root (network namespaces, veth pairs, nftables): run it as root, e.g. \`sudo -E npm test\`, ${ALTERNATIVES}`);
  if (!facts.netns) return stop(`this kernel has no network namespaces (/proc/self/ns/net is missing): the twin cannot run here; ${ALTERNATIVES}`);
  if (facts.buildNeeded) {
    const go = goProblem(facts.goVersion);
    if (go) return stop(go);
    if (facts.freeBytes !== null && facts.freeBytes < COLD_BUILD_BYTES) {
      return stop(`the twin's first build needs about ${gib(COLD_BUILD_BYTES)} free for Go's caches and the binaries, and ${facts.freePath} has ${gib(facts.freeBytes)}: free some space, or set CACHE_DIR (and GOCACHE, GOMODCACHE) to a larger disk`);
    }
  } else if (facts.freeBytes !== null && facts.freeBytes < WARM_RUN_BYTES) {
    return stop(`the twin needs about ${gib(WARM_RUN_BYTES)} free for its state and logs, and ${facts.freePath} has ${gib(facts.freeBytes)}: free some space or set CACHE_DIR to a larger disk`);
  }
  const missing = [...facts.missingTools.map((t) => ({ what: t.name, ...t })), ...facts.missingFiles.map((f) => ({ what: f.file, ...f }))];
  if (missing.length === 0) return { kind: 'ready' };
  const packages = [...new Set(missing.map((m) => m.debianPackage))];
  const named = missing.map((m) => `${m.what} (${m.debianPackage}: ${m.why})`).join(', ');
  const command = `apt-get update && apt-get install -y ${packages.join(' ')}`;
  const forWhom = missing.some((m) => selftestTools.some((tool) => tool.name === m.what)) ? 'the twin and the self-tests' : 'the twin';
  if (policy === 'never') return stop(`missing host packages: ${named}; install them with \`${command}\` (INSTALL_PACKAGES=never stops instead of installing)`);
  if (!facts.aptGet) return stop(`missing host packages: ${named}; this machine has no apt-get: install the packages ${packages.join(', ')} with its package manager`);
  return { kind: 'install', packages, line: `installing ${packages.join(' ')} with apt-get for ${forWhom}: ${named} (set INSTALL_PACKAGES=never to stop instead)` };
}

function stop(line: string): PreflightPlan {
  return { kind: 'stop', line };
}

function goProblem(version: string | null): string | undefined {
  const need = `Go >= ${MIN_GO.join('.')}`;
  if (!version) return `go is not on PATH: the twin's first build needs ${need} (https://go.dev/dl/); ${ALTERNATIVES}`;
  const [major = 0, minor = 0] = version.replace(/^go/, '').split('.').map(Number);
  if (major < MIN_GO[0] || (major === MIN_GO[0] && minor < MIN_GO[1])) return `${version} is too old: the twin's first build needs ${need} (https://go.dev/dl/); ${ALTERNATIVES}`;
  return undefined;
}

function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

function uniqueByName(tools: HostTool[]): HostTool[] {
  const seen = new Map<string, HostTool>();
  for (const tool of tools) if (!seen.has(tool.name)) seen.set(tool.name, tool);
  return [...seen.values()];
}

export interface GatherOptions {
  cacheDir: string;
  buildNeeded: boolean;
  envPath?: string;
  /** The tools to look for (default: the twin's). */
  tools?: HostTool[];
}

/** Reads the host: stats and one `go env` call (only when a build is needed). */
export async function gatherHostFacts(options: GatherOptions): Promise<HostFacts> {
  const goEnv = options.buildNeeded ? await readGoEnv() : null;
  const dirs = [options.cacheDir, ...(goEnv ? [goEnv.GOCACHE, goEnv.GOMODCACHE] : [])].filter((dir): dir is string => Boolean(dir));
  let freeBytes: number | null = null;
  let freePath = options.cacheDir;
  for (const dir of dirs) {
    const free = freeSpace(dir);
    if (free !== null && (freeBytes === null || free.bytes < freeBytes)) ({ bytes: freeBytes, at: freePath } = free);
  }
  return {
    platform: process.platform,
    uid: process.getuid?.(),
    netns: fs.existsSync('/proc/self/ns/net'),
    missingTools: (options.tools ?? hostTools).filter((tool) => !findTool(tool.name, options.envPath)),
    missingFiles: hostFiles.filter((file) => !fs.existsSync(file.file)),
    goVersion: goEnv?.GOVERSION ?? null,
    buildNeeded: options.buildNeeded,
    freeBytes,
    freePath,
    aptGet: findTool('apt-get', options.envPath),
  };
}

/** Free bytes on the file system of a folder (or of its nearest existing ancestor). */
function freeSpace(dir: string): { bytes: number; at: string } | null {
  let at = path.resolve(dir);
  while (!fs.existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
  try {
    const stats = fs.statfsSync(at);
    return { bytes: stats.bavail * stats.bsize, at };
  } catch {
    return null;
  }
}

function readGoEnv(): Promise<{ GOVERSION: string; GOCACHE: string; GOMODCACHE: string } | null> {
  return new Promise((resolve) => {
    execFile('go', ['env', '-json', 'GOVERSION', 'GOCACHE', 'GOMODCACHE'], { env: { ...process.env, GOTOOLCHAIN: 'local' }, timeout: 10_000 }, (error, stdout) => {
      if (error) return resolve(null);
      try {
        resolve(JSON.parse(stdout) as { GOVERSION: string; GOCACHE: string; GOMODCACHE: string });
      } catch {
        resolve(null);
      }
    });
  });
}

/** apt-get update, then install; the tail of apt's output on failure. */
export function installPackages(packages: string[], aptGet: string): Promise<void> {
  const run = (args: string[]) =>
    new Promise<void>((resolve, reject) => {
      execFile(aptGet, args, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, maxBuffer: 16 * 1024 * 1024 }, (error, _stdout, stderr) => {
        if (!error) return resolve();
        const tail = String(stderr).trim().split('\n').slice(-3).join(' | ');
        reject(new UsageError(`apt-get ${args[0]} failed (${tail || error.message}): install ${packages.join(' ')} by hand, then run again`));
      });
    });
  return run(['update', '-qq']).then(() => run(['install', '-y', '-qq', '--no-install-recommends', ...packages]));
}

export interface PreflightOptions extends GatherOptions {
  policy: InstallPolicy;
  log: (line: string) => void;
}

/** Checks the host; installs missing Debian packages when it may; throws a one-line UsageError when it cannot run. */
export async function preflightTwin(options: PreflightOptions): Promise<HostFacts> {
  const facts = await gatherHostFacts(options);
  const plan = planPreflight(facts, options.policy);
  if (plan.kind === 'stop') throw new UsageError(plan.line);
  if (plan.kind === 'ready') return facts;
  options.log(`preflight: ${plan.line}`);
  const started = Date.now();
  await installPackages(plan.packages, facts.aptGet!);
  const after = await gatherHostFacts(options);
  const again = planPreflight(after, 'never');
  if (again.kind === 'stop') throw new UsageError(`after installing ${plan.packages.join(' ')}: ${again.line}`);
  options.log(`preflight: installed ${plan.packages.join(' ')} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return after;
}

/** The preflight for a run that starts the twin (npm test on the twin, npm run twin, rehearse), or for the self-tests. */
export async function checkTwinHost(settings: Pick<Settings, 'CACHE_DIR' | 'INSTALL_PACKAGES'>, log: (line: string) => void, purpose: PreflightPurpose = 'twin'): Promise<HostFacts> {
  const pending = unbuiltUnits();
  const facts = await preflightTwin({ cacheDir: path.resolve(settings.CACHE_DIR), buildNeeded: pending.length > 0, policy: settings.INSTALL_PACKAGES, log, tools: toolsFor(purpose) });
  if (pending.length > 0) log(`preflight: the host is ready; ${pending.length} pinned components to build first (${pending.join(', ')}), once per machine`);
  return facts;
}
