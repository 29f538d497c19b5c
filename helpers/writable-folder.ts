// Whether a folder can be made or written, asked without writing anything: for refusals up front
// (certs --out, the dry run's CACHE_DIR) that leave the disk exactly as it was.
import { constants } from 'node:fs';
import { access, lstat } from 'node:fs/promises';
import path from 'node:path';

export type PathKind = 'dir' | 'other' | 'missing';

/** What is at `file`; a path under a file (ENOTDIR) is 'under-file'. Other errors are thrown. */
export async function pathKind(file: string): Promise<PathKind | 'under-file'> {
  try {
    return (await lstat(file)).isDirectory() ? 'dir' : 'other';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    if (code === 'ENOTDIR') return 'under-file';
    throw error;
  }
}

/** Why `dir` could not be made or written into (one clause), or undefined when it can. */
export async function folderProblem(dir: string): Promise<string | undefined> {
  const wanted = path.resolve(dir);
  let existing = wanted;
  let kind = await pathKind(existing);
  while (kind === 'missing' || kind === 'under-file') {
    existing = path.dirname(existing);
    kind = await pathKind(existing);
  }
  if (kind === 'other') return existing === wanted ? 'it is a file, not a folder' : `${existing} is a file, not a folder`;
  // procfs and sysfs make no folders for anyone (root may "write" there, a user may not): the same
  // answer for both, before the permission check.
  if (/^\/(proc|sys)(\/|$)/.test(existing)) return `${existing} is a special file system where folders cannot be made`;
  try {
    await access(existing, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'EROFS' ? `${existing} is on a read-only file system` : `no permission to write in ${existing}`;
  }
  return undefined;
}
