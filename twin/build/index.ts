// The twin's binaries, built from pinned Go modules and cached by version (twin/build/README.md).
// `ensureBinaries` builds what is missing or stale and returns absolute paths; with everything
// cached it only stats files. `binaryPath` says where a binary is, without building.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { loadSettings, UsageError } from '../../helpers/config';
import { buildUnit, DEFAULT_GO_COMMAND } from './build';
import { binDir, cacheKey, cacheState, type CacheState, sourceFileIn, unitDir } from './cache';
import { withLock } from './lock';
import { checkWrapperModules } from './modules';
import { HEARTBEAT_MS } from '../../helpers/progress';
import { formatDuration } from './progress';
import { progressBar } from '../../helpers/progress-bar';

// A component the project has no recorded time for counts as this much on the bar.
const UNKNOWN_ESTIMATE_MS = 60_000;
import { estimateMs, recordsFile } from './timings';
import { buildUnits, type BuildUnit, COMPONENTS, TWIN_BINARIES, type TwinBinary, unitOf } from './recipes';
import { type IstioRelease, istioRelease, loadVersions, type TwinVersions, VERSIONS_FILE } from './versions';

export { TWIN_BINARIES, type TwinBinary, COMPONENTS, type Component } from './recipes';
export { loadVersions, type TwinVersions, type IstioRelease } from './versions';
export { TwinBuildError } from './progress';

export interface PathOptions {
  /** Istio release name from versions.json (default: setting TWIN_ISTIO, else the file's default). */
  istio?: string;
  /** Default: setting CACHE_DIR. */
  cacheDir?: string;
  versionsFile?: string;
}

export interface EnsureOptions extends PathOptions {
  progress?: (line: string) => void;
  heartbeatMs?: number;
  /** The go command and what runs it (default: nice -n 10 go). */
  goCommand?: string[];
  signal?: AbortSignal;
}

interface Plan {
  cacheDir: string;
  units: BuildUnit[];
  versions: TwinVersions;
  istioName: string;
}

function plan(options: PathOptions): Plan {
  const settings = options.cacheDir && options.istio ? undefined : loadSettings();
  const versions = loadVersions(options.versionsFile ?? VERSIONS_FILE);
  const istio = istioRelease(versions, options.istio ?? settings?.TWIN_ISTIO);
  return {
    cacheDir: path.resolve(options.cacheDir ?? settings!.CACHE_DIR),
    units: buildUnits(versions, istio),
    versions,
    istioName: istio.name,
  };
}

/** Where a binary is (or will be once built). */
export function binaryPath(name: TwinBinary, options: PathOptions = {}): string {
  const { cacheDir, units } = plan(options);
  const unit = unitOf(units, name);
  return path.join(unitDir(cacheDir, unit), unit.files[name]!);
}

/** The Istio release a run uses: the one named, else setting TWIN_ISTIO, else the versions file's default. */
export function selectedIstio(options: Pick<PathOptions, 'istio' | 'versionsFile'> = {}): { name: string; release: IstioRelease } {
  const versions = loadVersions(options.versionsFile ?? VERSIONS_FILE);
  return istioRelease(versions, options.istio ?? loadSettings().TWIN_ISTIO);
}

/** Where twin:build put a file of the Istio release's source (BuildUnit.sourceFiles), built or not. */
export function istioSourceFilePath(file: string, options: PathOptions = {}): string {
  const { cacheDir, units } = plan(options);
  return sourceFileIn(cacheDir, units.find((unit) => unit.component === 'istio')!, file);
}

/** The labels of the units that provide `names` (default: all) and are not cached: what a run would build. */
export function unbuiltUnits(names?: readonly TwinBinary[], options: PathOptions = {}): string[] {
  const { cacheDir, units } = plan(options);
  const wanted = names ?? TWIN_BINARIES;
  return units.filter((unit) => wanted.some((name) => name in unit.files) && cacheState(cacheDir, unit).state !== 'cached').map((unit) => unit.label);
}

/** Builds the units that provide `names` (default: all) unless cached; returns their absolute paths. */
export async function ensureBinaries<N extends TwinBinary = TwinBinary>(names?: readonly N[], options: EnsureOptions = {}): Promise<Record<N, string>> {
  const { cacheDir, units, versions } = plan(options);
  const wanted = (names ?? TWIN_BINARIES) as readonly N[];
  const needed = units.filter((unit) => wanted.some((name) => name in unit.files));
  const todo = needed
    .map((unit) => ({ unit, key: cacheKey(unit) }))
    .filter(({ unit, key }) => cacheState(cacheDir, unit, key).state !== 'cached');
  if (todo.length > 0) {
    if (todo.some(({ unit }) => unit.sources.length > 0)) checkWrapperModules(versions);
    const goCommand = options.goCommand ?? DEFAULT_GO_COMMAND;
    const goVersion = options.goCommand ? options.goCommand.join(' ') : checkGo(todo.map(({ unit }) => unit));
    const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
    const estimates = todo.map(({ unit }) => estimateMs(cacheDir, unit));
    // On a terminal a bar shows the whole build against the recorded times; in logs, the lines alone.
    const planned = estimates.map((ms) => ms ?? UNKNOWN_ESTIMATE_MS);
    const bar = options.progress ? undefined : progressBar({ title: 'twin:build', total: planned.reduce((sum, ms) => sum + ms, 0) });
    const progress = options.progress ?? ((line: string) => bar!.line(`twin:build: ${line}`));
    let finishedMs = 0;
    let current = { label: '', since: Date.now(), plannedMs: 0 };
    const ticker = bar ? setInterval(() => bar.update(finishedMs + Math.min(Date.now() - current.since, current.plannedMs), current.label), 1000) : undefined;
    ticker?.unref();
    const known = estimates.filter((ms): ms is number => ms !== undefined);
    const total = known.length > 0 ? ` (about ${formatDuration(known.reduce((sum, ms) => sum + ms, 0))} on 2 cores, measured)` : '';
    progress(`${todo.length} of ${needed.length} components to build, once per machine${total}: ${todo.map(({ unit }) => unit.label).join(', ')}`);
    const started = Date.now();
    const built: string[] = [];
    try {
      for (const [index, { unit, key }] of todo.entries()) {
        current = { label: `${index + 1}/${todo.length} ${unit.label}`, since: Date.now(), plannedMs: planned[index]! };
        const numbered = (line: string) => progress(`[${index + 1}/${todo.length}, ${formatDuration(Date.now() - started)}] ${line}`);
        const onWait = (pid: number, waitedMs: number) => numbered(`${unit.label}: waiting for the build in process ${pid} (${formatDuration(waitedMs)})`);
        mkdirSync(binDir(cacheDir), { recursive: true });
        await withLock(`${unitDir(cacheDir, unit)}.lock`, { onWait, heartbeatMs, signal: options.signal }, async () => {
          if (cacheState(cacheDir, unit, key).state === 'cached') return; // built meanwhile by the process we waited for
          const stamp = await buildUnit(unit, key, { cacheDir, progress: numbered, heartbeatMs, goCommand, goVersion, estimateMs: estimates[index], signal: options.signal });
          built.push(`${unit.component} ${formatDuration(stamp.seconds * 1000)}`);
        });
        finishedMs += planned[index]!;
      }
      if (built.length > 0) progress(`built ${built.length} components in ${formatDuration(Date.now() - started)}: ${built.join(', ')} (each build is recorded in ${recordsFile(cacheDir)})`);
    } finally {
      if (ticker) clearInterval(ticker);
      bar?.stop();
    }
  }
  const paths = {} as Record<N, string>;
  for (const name of wanted) {
    const unit = unitOf(units, name);
    paths[name] = path.join(unitDir(cacheDir, unit), unit.files[name]!);
  }
  return paths;
}

/** Names a person gives (`--only`): binaries or components, as the binaries they stand for. */
export function selectBinaries(names: readonly string[] | undefined, options: PathOptions = {}): TwinBinary[] {
  const wanted = (names ?? []).map((n) => n.trim()).filter(Boolean);
  if (wanted.length === 0) return [...TWIN_BINARIES];
  const { units } = plan(options);
  const picked = new Set<TwinBinary>();
  for (const name of wanted) {
    const unit = units.find((u) => u.component === name);
    if (unit) for (const binary of Object.keys(unit.files) as TwinBinary[]) picked.add(binary);
    else if ((TWIN_BINARIES as readonly string[]).includes(name)) picked.add(name as TwinBinary);
    else throw new UsageError(`"${name}" is not a twin binary or component: use ${[...new Set([...COMPONENTS, ...TWIN_BINARIES])].join(', ')}`);
  }
  return [...picked];
}

export interface UnitListing {
  component: string;
  label: string;
  version: string;
  binaries: TwinBinary[];
  dir: string;
  state: CacheState['state'];
  builtAt?: string;
  seconds?: number;
}

/** Every unit of every Istio release with its cache state, for `npm run twin:build -- --list`. */
export function listUnits(options: PathOptions = {}): { cacheDir: string; units: UnitListing[] } {
  const first = plan(options);
  const istioNames = Object.keys(first.versions.istio.releases);
  const seen = new Set<string>();
  const listed: UnitListing[] = [];
  for (const istio of [first.istioName, ...istioNames.filter((n) => n !== first.istioName)]) {
    for (const unit of plan({ ...options, istio, cacheDir: first.cacheDir }).units) {
      const id = `${unit.component}@${unit.version}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const state = cacheState(first.cacheDir, unit);
      listed.push({
        component: unit.component,
        label: unit.label,
        version: unit.version,
        binaries: Object.keys(unit.files) as TwinBinary[],
        dir: unitDir(first.cacheDir, unit),
        state: state.state,
        ...(state.state === 'missing' ? {} : { builtAt: state.stamp.builtAt, seconds: state.stamp.seconds }),
      });
    }
  }
  return { cacheDir: binDir(first.cacheDir), units: listed };
}

const MIN_GO = [1, 26];

/** The machine's Go, checked once before building: missing or too old is a one-line UsageError. */
function checkGo(units: BuildUnit[]): string {
  let version: string;
  try {
    version = execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local' } }).trim();
  } catch {
    throw new UsageError(`go not found on PATH: building the twin needs Go >= ${MIN_GO.join('.')} (twin/build/README.md)`);
  }
  const [major = 0, minor = 0] = version.replace(/^go/, '').split('.').map(Number);
  const needsLocal = units.some((unit) => unit.steps.some((step) => !step.env.GOTOOLCHAIN));
  if (needsLocal && (major < MIN_GO[0]! || (major === MIN_GO[0] && minor < MIN_GO[1]!))) {
    throw new UsageError(`${version} is too old: building the twin needs Go >= ${MIN_GO.join('.')} (twin/build/README.md)`);
  }
  return version;
}
