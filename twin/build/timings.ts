// How long a unit's build takes: every build is recorded under the cache (one JSON line each), and
// the estimate shown while a unit compiles comes from this machine's last record of that unit, else
// from the figures measured for the pinned versions (build-times.json).
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { binDir } from './cache';
import type { BuildUnit } from './recipes';

export interface BuildRecord {
  unit: string;
  seconds: number;
  builtAt: string;
  go: string;
}

const MEASURED_FILE = path.join(__dirname, 'build-times.json');

export function unitId(unit: Pick<BuildUnit, 'component' | 'version'>): string {
  return `${unit.component}@${unit.version}`;
}

export function recordsFile(cacheDir: string): string {
  return path.join(path.dirname(binDir(cacheDir)), 'build-times.jsonl');
}

export function appendBuildRecord(cacheDir: string, record: BuildRecord): void {
  const file = recordsFile(cacheDir);
  mkdirSync(path.dirname(file), { recursive: true });
  appendFileSync(file, `${JSON.stringify(record)}\n`);
}

export function readBuildRecords(cacheDir: string): BuildRecord[] {
  let text: string;
  try {
    text = readFileSync(recordsFile(cacheDir), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as BuildRecord];
      } catch {
        return []; // a line cut by a killed run
      }
    });
}

/** The expected build time of a unit in ms, or undefined when nothing was ever measured for it. */
export function estimateMs(cacheDir: string, unit: Pick<BuildUnit, 'component' | 'version'>, measured: Record<string, unknown> = readMeasured()): number | undefined {
  const id = unitId(unit);
  const own = readBuildRecords(cacheDir).filter((record) => record.unit === id).at(-1);
  if (own) return own.seconds * 1000;
  const pinned = measured[id];
  return typeof pinned === 'number' ? pinned * 1000 : undefined;
}

function readMeasured(): Record<string, unknown> {
  return JSON.parse(readFileSync(MEASURED_FILE, 'utf8')) as Record<string, unknown>;
}
