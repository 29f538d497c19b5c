// Writes a volume's files the way the kubelet's AtomicWriter does, so a program watching the
// folder never sees half an update: the files go into a fresh `..<timestamp>` folder, a
// `..data_tmp` symlink to it is renamed over `..data` (one atomic rename), and each visible name
// is a symlink `name -> ..data/name`. The previous timestamped folder is removed afterwards.
// Contents are never logged (they are secrets).
import fs from 'node:fs';
import path from 'node:path';
import type { VolumeFile } from './volumes';

const dataLink = '..data';

/** Writes the payload if it differs from what is there; returns true when it wrote. */
export function writeAtomically(dir: string, files: VolumeFile[]): boolean {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const current = readCurrent(dir);
  if (current !== undefined && samePayload(current, files)) return false;

  const stamp = new Date().toISOString().replace(/[-:]/g, '_').replace('T', '_').replace('Z', '');
  const versionName = `..${stamp}_${process.hrtime.bigint() % 1_000_000_000n}`;
  const versionDir = path.join(dir, versionName);
  fs.mkdirSync(versionDir, { mode: 0o755 });
  for (const file of files) {
    const target = path.join(versionDir, file.path);
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
    fs.writeFileSync(target, file.data, { mode: file.mode });
    fs.chmodSync(target, file.mode); // the umask must not narrow the mode asked for
  }
  const previous = readLink(path.join(dir, dataLink));
  const tmpLink = path.join(dir, `${dataLink}_tmp`);
  fs.rmSync(tmpLink, { force: true });
  fs.symlinkSync(versionName, tmpLink);
  fs.renameSync(tmpLink, path.join(dir, dataLink));

  // The visible names: one symlink per top-level entry, stale ones removed.
  const wanted = new Set(files.map((f) => f.path.split('/')[0]!));
  for (const name of wanted) {
    const link = path.join(dir, name);
    if (readLink(link) !== path.join(dataLink, name)) {
      fs.rmSync(link, { force: true, recursive: true });
      fs.symlinkSync(path.join(dataLink, name), link);
    }
  }
  for (const entry of fs.readdirSync(dir)) {
    if (entry.startsWith('..') || wanted.has(entry)) continue;
    fs.rmSync(path.join(dir, entry), { force: true, recursive: true });
  }
  if (previous && previous !== versionName) fs.rmSync(path.join(dir, previous), { recursive: true, force: true });
  return true;
}

function readLink(p: string): string | undefined {
  try {
    return fs.readlinkSync(p);
  } catch {
    return undefined;
  }
}

/** The files under ..data, or undefined when nothing was written yet. */
function readCurrent(dir: string): Map<string, { data: Buffer; mode: number }> | undefined {
  const version = readLink(path.join(dir, dataLink));
  if (!version) return undefined;
  const root = path.join(dir, version);
  const found = new Map<string, { data: Buffer; mode: number }>();
  const walk = (sub: string) => {
    for (const entry of fs.readdirSync(path.join(root, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else {
        const full = path.join(root, rel);
        found.set(rel, { data: fs.readFileSync(full), mode: fs.statSync(full).mode & 0o7777 });
      }
    }
  };
  try {
    walk('');
  } catch {
    return undefined;
  }
  return found;
}

function samePayload(current: Map<string, { data: Buffer; mode: number }>, files: VolumeFile[]): boolean {
  if (current.size !== files.length) return false;
  return files.every((f) => {
    const have = current.get(f.path);
    return have !== undefined && have.mode === f.mode && have.data.equals(f.data);
  });
}
