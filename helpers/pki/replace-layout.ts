// Writes the doc's layout into a folder a person named, all or nothing: the four folders are
// written into a staging folder beside them and renamed into place, so a failure never leaves a
// half-written layout; an existing layout (its root CA key among it) is replaced only when asked.
import { chmod, lstat, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../config';
import { folderProblem, pathKind } from '../writable-folder';
import { docLayoutPaths, writeDocLayout } from './layout';
import type { DocChain, DocLayout } from './types';

/** The folders of the doc's layout, in generate.sh's order. */
export const LAYOUT_FOLDERS = ['1_root', '2_intermediate', '3_application', '4_client'] as const;

export interface ReplaceOptions {
  /** Replace the four folders of an existing layout (default: refuse). */
  force?: boolean;
  /** How the folder was named, for messages (e.g. "--out"). */
  label?: string;
}

async function kindOf(file: string, label: string): Promise<'dir' | 'other' | 'missing'> {
  const kind = await pathKind(file).catch((error: unknown) => {
    throw unusable(label, file, error);
  });
  if (kind === 'under-file') throw new UsageError(`${label} ${file}: a part of it is a file, not a folder; name a folder`);
  return kind;
}

/** One line for a folder that cannot be made or written, from the system's error code. */
function unusable(label: string, dir: string, error: unknown): UsageError | unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const why: Record<string, string> = {
    ENOTDIR: 'a part of it is a file, not a folder',
    EEXIST: 'a part of it is a file, not a folder',
    EACCES: 'no permission to write there',
    EPERM: 'no permission to write there',
    EROFS: 'it is on a read-only file system',
    // procfs and sysfs answer ENOENT to a new name in a folder that exists.
    ENOENT: 'folders cannot be made there (a special file system such as /proc or /sys?)',
    ENOSPC: 'the disk is full',
    ENAMETOOLONG: 'the path is too long',
  };
  if (code === undefined || !(code in why)) return error;
  return new UsageError(`${label} ${dir}: ${why[code]}; name a folder you can write`);
}

/**
 * Makes dir and its missing parents one level at a time. Not mkdir({ recursive: true }): under
 * /proc that one spins forever (mkdir answers ENOENT, the parent EEXIST, and it retries; seen
 * with strace on Node 24, as nodejs/node's recursive mkdir walks back and forth).
 */
async function makeFolders(dir: string, label: string): Promise<void> {
  const kind = await kindOf(dir, label);
  if (kind === 'dir') return;
  if (kind === 'other') throw new UsageError(`${label} ${dir}: it is a file, not a folder; name a folder`);
  const parent = path.dirname(dir);
  if (parent !== dir) await makeFolders(parent, label);
  try {
    await mkdir(dir);
  } catch (error) {
    throw unusable(label, dir, error);
  }
}

/**
 * Checks, without writing, that outDir can take the layout: not a file, not under one, its nearest
 * existing folder writable, and no layout there yet unless `force`. Returns what is there.
 */
export async function checkLayoutTarget(outDir: string, options: ReplaceOptions = {}): Promise<{ out: string; outKind: 'dir' | 'missing'; present: string[] }> {
  const label = options.label ?? 'folder';
  const out = path.resolve(outDir);
  const outKind = await kindOf(out, label);
  if (outKind === 'other') throw new UsageError(`${label} ${out}: it is a file, not a folder; name a folder`);
  const problem = await folderProblem(out);
  if (problem) throw new UsageError(`${label} ${out}: ${problem}; name a folder you can write`);
  const present: string[] = [];
  if (outKind === 'dir') for (const name of LAYOUT_FOLDERS) if ((await kindOf(path.join(out, name), label)) !== 'missing') present.push(name);
  if (present.length > 0 && !options.force) {
    throw new UsageError(`${label} ${out} already holds a certificate layout (${present.join(', ')}); add --force to replace it, root CA key included, or name another folder`);
  }
  return { out, outKind, present };
}

/** Writes the layout into outDir via a staging folder; refuses an existing layout unless `force`. */
export async function replaceDocLayout(chain: DocChain, outDir: string, options: ReplaceOptions = {}): Promise<DocLayout> {
  const label = options.label ?? 'folder';
  const { out, outKind, present } = await checkLayoutTarget(outDir, options);
  // Staging beside the target, on the same file system, so that the renames are atomic.
  const stagingParent = outKind === 'dir' ? out : path.dirname(out);
  await makeFolders(stagingParent, label);
  let staging: string;
  try {
    staging = await mkdtemp(path.join(stagingParent, '.certs-staging-'));
  } catch (error) {
    throw unusable(label, stagingParent, error);
  }
  try {
    await writeDocLayout(chain, staging);
    if (outKind === 'missing') {
      await chmod(staging, 0o755); // mkdtemp makes 0700; the folder becomes the user's --out
      await rename(staging, out);
    } else {
      await swapFolders(staging, out, present);
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return docLayoutPaths(out, chain.host);
}

/** Moves the old folders aside, the new ones in, and the old ones back if a move fails. */
async function swapFolders(staging: string, out: string, present: readonly string[]): Promise<void> {
  const old = path.join(staging, '.replaced');
  await mkdir(old);
  const movedAside: string[] = [];
  const movedIn: string[] = [];
  try {
    for (const name of present) {
      await rename(path.join(out, name), path.join(old, name));
      movedAside.push(name);
    }
    for (const name of LAYOUT_FOLDERS) {
      await rename(path.join(staging, name), path.join(out, name));
      movedIn.push(name);
    }
  } catch (error) {
    for (const name of movedIn) await rm(path.join(out, name), { recursive: true, force: true });
    for (const name of movedAside) await rename(path.join(old, name), path.join(out, name));
    throw error;
  }
}
