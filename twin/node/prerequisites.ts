// What the twin needs from the host before it touches anything: root (network namespaces, veth,
// nftables) and a few Debian tools. Each miss is named with the package that brings it.
import path from 'node:path';
import { UsageError } from '../../helpers/config';
import { findTool } from '../../helpers/find-tool';

/** A host tool the twin calls, and the Debian package that installs it. */
export interface HostTool {
  name: string;
  debianPackage: string;
  why: string;
}

export const nodeTools: HostTool[] = [
  { name: 'ip', debianPackage: 'iproute2', why: 'network namespaces and veth pairs' },
  { name: 'nft', debianPackage: 'nftables', why: "kube-proxy's nftables mode" },
  { name: 'setpriv', debianPackage: 'util-linux', why: 'children die with the twin' },
];

export { findTool };

/** Throws a one-line UsageError unless the process runs as root. */
export function requireRoot(what = 'the twin'): void {
  if (process.getuid?.() !== 0) {
    throw new UsageError(`${what} needs root (network namespaces, veth pairs, nftables): run it as root, e.g. sudo -E npm run twin`);
  }
}

/** Absolute paths of the tools, or a UsageError naming every missing one and its package. */
export function requireTools(tools: HostTool[] = nodeTools, envPath?: string): Record<string, string> {
  const found: Record<string, string> = {};
  const missing: HostTool[] = [];
  for (const tool of tools) {
    const where = findTool(tool.name, envPath);
    if (where) found[tool.name] = where;
    else missing.push(tool);
  }
  if (missing.length > 0) {
    const names = missing.map((t) => `${t.name} (${t.why})`).join(', ');
    const packages = [...new Set(missing.map((t) => t.debianPackage))].join(' ');
    throw new UsageError(
      `missing host tools: ${names}; install them with: apt-get update && apt-get install -y ${packages} (or run npm run preflight, which installs them as root)`,
    );
  }
  return found;
}

/** The PATH a child should get: the caller's, plus the folders of the tools (kube-proxy runs nft). */
export function childPath(tools: Record<string, string> | NodeToolPaths, envPath = process.env.PATH ?? ''): string {
  const dirs = envPath.split(path.delimiter).filter(Boolean);
  for (const tool of Object.values(tools)) {
    const dir = path.dirname(tool);
    if (!dirs.includes(dir)) dirs.push(dir);
  }
  return dirs.join(path.delimiter);
}

export interface NodeToolPaths {
  ip: string;
  nft: string;
  setpriv: string;
}

/** requireTools() for the node's own tools, typed. */
export function requireNodeTools(envPath?: string): NodeToolPaths {
  const found = requireTools(nodeTools, envPath);
  return { ip: found.ip!, nft: found.nft!, setpriv: found.setpriv! };
}
