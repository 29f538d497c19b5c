// A pod's filesystem view as bubblewrap arguments. The host's root is bound read-only (nothing a
// pod does reaches the host's files), with a private /tmp (the container's own folder, shared
// with exec), /dev and /proc, and the pod's folders
// bound at its mount paths. A mount path the host lacks (/etc/istio/ingressgateway-certs) cannot
// be created in the host's /etc, so its deepest existing parent is "mirrored" in the view only: a
// tmpfs over it holding binds of each of the host's entries, into which bwrap then creates the
// missing folders. The host's /etc is never written. Symlinks on the way (/var/run -> /run) are
// resolved against the host first, so bwrap never follows one out of the new root.
import fs from 'node:fs';
import path from 'node:path';

export interface ViewMount {
  /** The path in the pod's view (a container's mountPath). */
  dest: string;
  /** Host path bound there. */
  source: string;
  readOnly: boolean;
}

export interface ViewSpec {
  mounts: ViewMount[];
  hostname: string;
  cwd?: string;
  /** Host folder for the container's /tmp, so exec and the program share it (default: a tmpfs). */
  tmpDir?: string;
  /** Host folders that stay visible even under the view's private /tmp (default: the project's checkout). */
  keepVisible?: string[];
}

/** The host as the view builder reads it (a fake in tests). */
export interface HostFs {
  kind(p: string): 'dir' | 'file' | 'symlink' | 'other' | 'missing';
  readlink(p: string): string;
  readdir(p: string): string[];
}

export const realHostFs: HostFs = {
  kind(p) {
    try {
      const st = fs.lstatSync(p);
      if (st.isSymbolicLink()) return 'symlink';
      if (st.isDirectory()) return 'dir';
      if (st.isFile()) return 'file';
      return 'other';
    } catch {
      return 'missing';
    }
  },
  readlink: (p) => fs.readlinkSync(p),
  readdir: (p) => fs.readdirSync(p).sort(),
};

/** Folders the view makes private (fresh tmpfs/devtmpfs/proc), so paths under them need no mirror. */
const privateRoots = ['/dev', '/proc', '/tmp'];

// The project's checkout holds the Node that runs stand-ins and test programs; a checkout under
// /tmp (a CI clone, say) would vanish behind the private /tmp, so it is bound back read-only.
const projectRoot = path.resolve(__dirname, '..', '..');

/**
 * What the twin's own programs in a pod read besides the checkout: the active-faults file (the
 * Envoy stand-in follows it). Under a private /tmp (CACHE_DIR in /tmp) it would be hidden, and the
 * faults that act in the stand-in would silently not act.
 */
export function twinFilesVisible(faultsFile: string | undefined): string[] {
  return [projectRoot, ...(faultsFile ? [path.dirname(path.resolve(faultsFile))] : [])];
}

function isUnder(p: string, root: string): boolean {
  return root === '/' || p === root || p.startsWith(`${root}/`);
}

/** The path with every symlink among its existing host components resolved. */
export function resolveOnHost(p: string, host: HostFs): string {
  let parts = path.posix.normalize(p).split('/').filter(Boolean);
  let resolved = '/';
  for (let hops = 0, i = 0; i < parts.length; i += 1) {
    const next = path.posix.join(resolved, parts[i]!);
    const kind = host.kind(next);
    if (kind === 'missing') return path.posix.join(next, ...parts.slice(i + 1));
    if (kind === 'symlink') {
      if (++hops > 40) throw new Error(`too many symlinks resolving ${p}`);
      const target = host.readlink(next);
      const base = target.startsWith('/') ? target : path.posix.join(resolved, target);
      parts = [...path.posix.normalize(base).split('/').filter(Boolean), ...parts.slice(i + 1)];
      resolved = '/';
      i = -1;
      continue;
    }
    resolved = next;
  }
  return resolved;
}

/** The host folder to mirror so that `dest` can be created in the view, or undefined if none. */
function mirrorFor(dest: string, host: HostFs): string | undefined {
  const parts = dest.split('/').filter(Boolean);
  let current = '/';
  for (const part of parts) {
    const next = path.posix.join(current, part);
    if (host.kind(next) === 'missing') return current;
    current = next;
  }
  return undefined;
}

/** The bwrap arguments (before `--`) for a view. */
export function viewArgs(spec: ViewSpec, host: HostFs = realHostFs): string[] {
  const mounts = spec.mounts
    .map((m) => ({ ...m, dest: resolveOnHost(m.dest, host) }))
    .sort((a, b) => depth(a.dest) - depth(b.dest));
  const mirrors = new Set<string>();
  mounts.forEach((mount, index) => {
    if (privateRoots.some((root) => isUnder(mount.dest, root))) return;
    // Inside another of the pod's own mounts: bwrap creates it there, not on the host.
    if (mounts.some((other, j) => j !== index && other.dest !== mount.dest && isUnder(mount.dest, other.dest) && depth(other.dest) < depth(mount.dest))) return;
    const mirror = mirrorFor(mount.dest, host);
    if (mirror !== undefined) mirrors.add(mirror);
  });

  const args: string[] = [];
  const ordered = [...mirrors].sort((a, b) => depth(a) - depth(b));
  if (mirrors.has('/')) {
    for (const entry of host.readdir('/')) {
      if (privateRoots.includes(`/${entry}`)) continue;
      args.push(...mirrorEntry(`/${entry}`, host));
    }
  } else {
    args.push('--ro-bind', '/', '/');
  }
  args.push('--dev', '/dev', '--proc', '/proc', ...(spec.tmpDir ? ['--bind', spec.tmpDir, '/tmp'] : ['--tmpfs', '/tmp']));
  for (const keep of spec.keepVisible ?? [projectRoot]) {
    if (privateRoots.some((root) => isUnder(keep, root))) args.push('--ro-bind', keep, keep);
  }
  for (const mirror of ordered) {
    if (mirror === '/') continue;
    args.push('--tmpfs', mirror);
    for (const entry of host.readdir(mirror)) args.push(...mirrorEntry(path.posix.join(mirror, entry), host));
  }
  for (const mount of mounts) args.push(mount.readOnly ? '--ro-bind' : '--bind', mount.source, mount.dest);

  args.push('--unshare-pid', '--unshare-uts', '--unshare-ipc', '--hostname', spec.hostname, '--die-with-parent');
  args.push('--chdir', spec.cwd ?? '/');
  return args;
}

/**
 * The environment as bwrap arguments, for exec and probes. The program itself gets its
 * environment as its process's own instead: command lines end up in logs, env values may be secrets.
 */
export function envArgs(env: Record<string, string>): string[] {
  return ['--clearenv', ...Object.entries(env).flatMap(([name, value]) => ['--setenv', name, value])];
}

function mirrorEntry(p: string, host: HostFs): string[] {
  const kind = host.kind(p);
  if (kind === 'symlink') return ['--symlink', host.readlink(p), p];
  if (kind === 'missing') return [];
  return ['--ro-bind-try', p, p];
}

function depth(p: string): number {
  return p === '/' ? 0 : p.split('/').length - 1;
}
