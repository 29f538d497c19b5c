// What the kind target needs from the machine before it does anything: a Docker daemon that
// answers, kubectl, and the network when a tool must be downloaded. The first thing missing stops
// the run with one line that names the alternatives.
import got, { HTTPError, RequestError } from 'got';
import { UsageError } from '../../helpers/config';
import { formatDuration } from './progress';
import { firstLine, run } from './run';

export type Check = { ok: true; detail: string } | { ok: false; reason: string };

export const DOCKER_TIMEOUT_MS = 5_000;
export const NETWORK_TIMEOUT_MS = 5_000;

export const EXISTING_ALTERNATIVE = 'use TARGET=existing with a kubeconfig of a test cluster';
export const ALTERNATIVES = `${EXISTING_ALTERNATIVE}, or TARGET=twin (needs Linux, root and Go on this machine)`;

/** `docker info` with a short timeout: the daemon's version, or why it does not answer. */
export async function checkDocker(timeoutMs = DOCKER_TIMEOUT_MS, env: NodeJS.ProcessEnv = process.env): Promise<Check> {
  const result = await run(['docker', 'info', '--format', '{{.ServerVersion}}'], { timeoutMs, env });
  const version = result.stdout.trim();
  if (result.exitCode === 0 && version) return { ok: true, detail: `Docker ${version}` };
  if (result.exitCode === 127 || result.startError === 'ENOENT') return { ok: false, reason: 'the docker CLI is not installed' };
  if (result.timedOut) return { ok: false, reason: `\`docker info\` gave no answer within ${formatDuration(timeoutMs)}` };
  return { ok: false, reason: firstLine(result) };
}

/** Whether the download site answers at all (any HTTP status counts: it is reachable). */
export async function checkNetwork(url: string, timeoutMs = NETWORK_TIMEOUT_MS): Promise<Check> {
  try {
    const response = await got.head(url, { timeout: { request: timeoutMs }, retry: { limit: 0 }, throwHttpErrors: false, followRedirect: false });
    return { ok: true, detail: `${new URL(url).host} answers (HTTP ${response.statusCode})` };
  } catch (error) {
    if (error instanceof HTTPError) return { ok: true, detail: `HTTP ${error.response.statusCode}` };
    const code = error instanceof RequestError ? (error.code ?? error.message) : String(error);
    return { ok: false, reason: `${new URL(url).host} does not answer (${code})` };
  }
}

/** The machine checks, replaceable in tests. */
export interface MachineChecks {
  docker(): Promise<Check>;
  network(url: string): Promise<Check>;
  kubectl(): Promise<Check>;
}

export const machineChecks: MachineChecks = {
  docker: () => checkDocker(),
  network: (url) => checkNetwork(url),
  async kubectl() {
    const result = await run(['kubectl', 'version', '--client', '-o', 'json'], { timeoutMs: 10_000 });
    if (result.exitCode !== 0) return { ok: false, reason: result.exitCode === 127 ? 'kubectl is not on PATH' : firstLine(result) };
    try {
      const parsed = JSON.parse(result.stdout) as { clientVersion?: { gitVersion?: string } };
      return { ok: true, detail: `kubectl ${parsed.clientVersion?.gitVersion ?? '(version unknown)'}` };
    } catch {
      return { ok: true, detail: 'kubectl (version unknown)' };
    }
  },
};

/** A reason as a sentence: trimmed, ending in one full stop (or its own ? or !). */
export function sentence(reason: string): string {
  const trimmed = reason.trim().replace(/[.\s]+$/, '');
  return /[?!]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** The one line that stops the kind target. */
export function kindPrerequisiteError(what: string, reason: string): UsageError {
  return new UsageError(`TARGET=kind needs ${what}: ${sentence(reason)} Instead, ${ALTERNATIVES}`);
}

export interface KindPrerequisites {
  docker: string;
  kubectl: string;
  network?: string;
}

/**
 * Checks, in order, the Docker daemon (first, so a machine without one is told in a moment),
 * kubectl, and then, only when `downloads()` says a tool must be fetched, the download site.
 * Throws the one-line UsageError for the first that is missing.
 */
export async function checkKindPrerequisites(
  checks: MachineChecks,
  downloads: () => Promise<{ needed: boolean; url: string }>,
): Promise<KindPrerequisites> {
  const docker = await checks.docker();
  if (!docker.ok) throw kindPrerequisiteError('a Docker daemon that answers', docker.reason);
  const kubectl = await checks.kubectl();
  if (!kubectl.ok) throw kindPrerequisiteError('kubectl on PATH', kubectl.reason);
  const download = await downloads();
  if (!download.needed) return { docker: docker.detail, kubectl: kubectl.detail };
  const network = await checks.network(download.url);
  if (!network.ok) throw kindPrerequisiteError(`the network, to download its tools from ${download.url}`, network.reason);
  return { docker: docker.detail, kubectl: kubectl.detail, network: network.detail };
}
