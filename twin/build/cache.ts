// Where built binaries live and when they are current. Each unit has a folder
// `<cacheDir>/twin/bin/<component>@<version>/` holding its binaries and a stamp written last; the
// stamp's key is a hash of the unit's recipe (module, version, flags) and of our own Go source for
// our programs, so a new version or an edit of our source rebuilds, and nothing else does.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { type BuildUnit, SOURCE_FILES_DIR } from './recipes';

export const STAMP_FILE = '.twin-build.json';

export interface Stamp {
  key: string;
  label: string;
  builtAt: string;
  seconds: number;
  go: string;
}

export function binDir(cacheDir: string): string {
  return path.join(cacheDir, 'twin', 'bin');
}

export function unitDir(cacheDir: string, unit: Pick<BuildUnit, 'component' | 'version'>): string {
  return path.join(binDir(cacheDir), `${unit.component}@${unit.version}`);
}

/** Where a unit keeps a file of its module's source that the build copied (BuildUnit.sourceFiles). */
export function sourceFileIn(cacheDir: string, unit: BuildUnit, file: string): string {
  if (!unit.sourceFiles?.paths.includes(file)) {
    throw new Error(`${unit.label} ships no source file ${file} (BuildUnit.sourceFiles in twin/build/recipes.ts lists what it copies)`);
  }
  return path.join(unitDir(cacheDir, unit), SOURCE_FILES_DIR, file);
}

/** The recipe's hash: what would make a different binary. Reads our source files (a few KB). */
export function cacheKey(unit: BuildUnit): string {
  const hash = createHash('sha256');
  // Paths relative to the repository, so a clone elsewhere has the same key.
  const recipe = {
    component: unit.component,
    version: unit.version,
    files: unit.files,
    links: unit.links,
    steps: unit.steps.map((s) => ({ args: s.args, env: s.env, buildDateOf: s.buildDateOf, produces: s.produces })),
    sourceFiles: unit.sourceFiles,
  };
  hash.update(JSON.stringify(recipe));
  for (const file of [...unit.sources].sort()) {
    hash.update(`\0${path.basename(path.dirname(file))}/${path.basename(file)}\0`);
    hash.update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

export type CacheState = { state: 'cached'; stamp: Stamp } | { state: 'stale'; stamp: Stamp } | { state: 'missing' };

/** Whether the unit's folder holds current binaries: stat checks and one small JSON read. */
export function cacheState(cacheDir: string, unit: BuildUnit, key = cacheKey(unit)): CacheState {
  const dir = unitDir(cacheDir, unit);
  let stamp: Stamp;
  try {
    stamp = JSON.parse(readFileSync(path.join(dir, STAMP_FILE), 'utf8')) as Stamp;
  } catch {
    return { state: 'missing' };
  }
  const copied = (unit.sourceFiles?.paths ?? []).map((file) => path.join(SOURCE_FILES_DIR, file));
  const files = [...new Set([...Object.values(unit.files), ...Object.keys(unit.links), ...copied])];
  const present = files.every((file) => {
    try {
      return statSync(path.join(dir, file)).isFile(); // follows the multi-call symlinks
    } catch {
      return false;
    }
  });
  if (!present) return { state: 'missing' };
  return stamp.key === key ? { state: 'cached', stamp } : { state: 'stale', stamp };
}
