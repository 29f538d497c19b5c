// Files the real Istio images ship that are not binaries (e.g. proxyv2's Envoy bootstrap template),
// taken from the pinned istio.io/istio module's source in the Go module cache, which `npm run
// twin:build` filled when it built istioctl, pilot-discovery and pilot-agent.
import os from 'node:os';
import path from 'node:path';
import { istioRelease, loadVersions } from '../build/versions';

/** The Go module cache as `go env GOMODCACHE` reports it, without running go. */
export function goModCache(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GOMODCACHE) return env.GOMODCACHE;
  const gopath = (env.GOPATH ?? '').split(path.delimiter)[0] || path.join(os.homedir(), 'go');
  return path.join(gopath, 'pkg', 'mod');
}

/** Absolute path of a file of the pinned Istio release's source (default release unless named). */
export function istioSourceFile(relative: string, releaseName?: string, env: NodeJS.ProcessEnv = process.env): string {
  const { release } = istioRelease(loadVersions(), releaseName);
  return path.join(goModCache(env), `${release.module}@${release.version}`, relative);
}
