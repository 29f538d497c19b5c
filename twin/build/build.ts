// Builds one unit: fetch its modules (`go ... -n`, which downloads but compiles nothing), build into a
// temporary folder beside the cache folder, then rename each binary into place and write the stamp
// last. An interrupted build leaves no half binary, and no stamp that claims one.
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { STAMP_FILE, type Stamp, unitDir } from './cache';
import { formatDuration, formatSize, GoOutput, heartbeatLine, TwinBuildError } from './progress';
import { type BuildUnit, type GoStep, SOURCE_FILES_DIR } from './recipes';
import { appendBuildRecord, unitId } from './timings';

export interface BuildOptions {
  cacheDir: string;
  /** Where progress lines go (default: stderr). */
  progress: (line: string) => void;
  /** A running step prints a line at least this often. */
  heartbeatMs: number;
  /** The go command, with what runs it: nice keeps the other engineers' tests responsive. */
  goCommand: string[];
  goVersion: string;
  /** How long this unit is expected to compile (twin/build/timings.ts), for the heartbeat. */
  estimateMs?: number;
  signal?: AbortSignal;
}

export const DEFAULT_GO_COMMAND = ['nice', '-n', '10', 'go'];

export async function buildUnit(unit: BuildUnit, key: string, options: BuildOptions): Promise<Stamp> {
  const dir = unitDir(options.cacheDir, unit);
  mkdirSync(dir, { recursive: true });
  // Left by a build killed hard (Ctrl-C ends node before its cleanup); the caller holds the unit's lock.
  for (const entry of readdirSync(dir)) if (entry.startsWith('.building-')) rmSync(path.join(dir, entry), { recursive: true, force: true });
  const temp = mkdtempSync(path.join(dir, '.building-'));
  const started = Date.now();
  const names = Object.keys(unit.files).join(', ');
  options.progress(`${unit.label}: building ${names}`);
  try {
    for (const step of unit.steps) {
      const buildDate = step.buildDateOf ? await moduleTime(unit, step, options) : '';
      const resolve = (text: string) => text.replaceAll('{out}', temp).replaceAll('{buildDate}', buildDate);
      const args = step.args.map(resolve);
      const env = Object.fromEntries(Object.entries(step.env).map(([name, value]) => [name, resolve(value)]));
      const [verb, ...rest] = args;
      const fetching = Date.now();
      await runGo(unit, 'downloading modules', [verb!, '-n', ...rest], step.cwd, env, options, { quietOutput: true });
      options.progress(`${unit.label}: modules ready (${formatDuration(Date.now() - fetching)}), compiling ${step.produces.join(', ')}`);
      await runGo(unit, 'compiling', [verb!, '-v', ...rest], step.cwd, env, options, { quietOutput: false });
    }
    if (unit.sourceFiles) await copySourceFiles(unit, path.join(temp, SOURCE_FILES_DIR), options);
    // From here on the folder changes: first drop the stamp, so a crash midway means "rebuild".
    rmSync(path.join(dir, STAMP_FILE), { force: true });
    for (const step of unit.steps) {
      for (const file of step.produces) renameSync(path.join(temp, file), path.join(dir, file));
    }
    if (unit.sourceFiles) {
      rmSync(path.join(dir, SOURCE_FILES_DIR), { recursive: true, force: true });
      renameSync(path.join(temp, SOURCE_FILES_DIR), path.join(dir, SOURCE_FILES_DIR));
    }
    for (const [name, target] of Object.entries(unit.links)) {
      const link = path.join(temp, name);
      symlinkSync(target, link);
      renameSync(link, path.join(dir, name));
    }
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    const stamp: Stamp = { key, label: unit.label, builtAt: new Date().toISOString(), seconds, go: options.goVersion };
    writeFileSync(path.join(temp, STAMP_FILE), `${JSON.stringify(stamp, null, 2)}\n`);
    renameSync(path.join(temp, STAMP_FILE), path.join(dir, STAMP_FILE));
    appendBuildRecord(options.cacheDir, { unit: unitId(unit), seconds, builtAt: stamp.builtAt, go: options.goVersion });
    const sizes = unit.steps
      .flatMap((s) => s.produces)
      .map((file) => `${file} ${formatSize(statSync(path.join(dir, file)).size)}`)
      .join(', ');
    options.progress(`${unit.label}: built in ${formatDuration(Date.now() - started)} (${sizes})`);
    return stamp;
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/**
 * Copies the unit's files of its module's source into `into`, from where `go mod download` puts the
 * module (the Go module cache, already filled by the build): a run reads the copies, so it does not
 * depend on that cache still holding the module. Copies are 0644 (the module cache's are read-only).
 */
async function copySourceFiles(unit: BuildUnit, into: string, options: BuildOptions): Promise<void> {
  const { module, version, paths } = unit.sourceFiles!;
  const toolchain = unit.steps[0]?.env.GOTOOLCHAIN;
  const env: Record<string, string> = toolchain ? { GOTOOLCHAIN: toolchain } : {};
  // Outside any module (the temporary folder), so no go.mod around decides what may be downloaded.
  const output = await runGo(unit, 'locating the module source', ['mod', 'download', '-json', `${module}@${version}`], os.tmpdir(), env, options, { quietOutput: true, capture: true });
  const moduleDir = (JSON.parse(output) as { Dir?: string }).Dir;
  if (!moduleDir) throw new TwinBuildError(unit.label, `go mod download ${module}@${version} gave no source folder`, []);
  for (const file of paths) {
    const from = path.join(moduleDir, file);
    if (!existsSync(from)) throw new TwinBuildError(unit.label, `${module}@${version} has no ${file}`, []);
    const to = path.join(into, file);
    mkdirSync(path.dirname(to), { recursive: true });
    copyFileSync(from, to);
    chmodSync(to, 0o644);
  }
  options.progress(`${unit.label}: copied ${paths.join(', ')} from the module source`);
}

/** The module's release time (`go list -m -json`), for the Kubernetes buildDate stamp. */
async function moduleTime(unit: BuildUnit, step: GoStep, options: BuildOptions): Promise<string> {
  const output = await runGo(unit, 'resolving the release date', ['list', '-m', '-json', step.buildDateOf!], step.cwd, step.env, options, { quietOutput: true, capture: true });
  const time = (JSON.parse(output) as { Time?: string }).Time;
  if (!time) throw new TwinBuildError(unit.label, `go list -m ${step.buildDateOf} gave no release time`, []);
  return time.replace(/\.\d+Z$/, 'Z');
}

interface RunFlags {
  /** Progress shows the phase only (the output of `-n` is thousands of commands). */
  quietOutput: boolean;
  capture?: boolean;
}

/** Runs one go command; resolves with its stdout when captured; rejects with TwinBuildError. */
export function runGo(unit: BuildUnit, phase: string, args: string[], cwd: string | undefined, env: Record<string, string>, options: BuildOptions, flags: RunFlags): Promise<string> {
  const [command, ...prefix] = options.goCommand;
  const started = Date.now();
  const output = new GoOutput();
  let captured = '';
  return new Promise((resolve, reject) => {
    const child = spawn(command!, [...prefix, ...args], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: options.signal,
    });
    const heartbeat = setInterval(() => options.progress(heartbeatLine(unit.label, phase, Date.now() - started, output, phase === 'compiling' ? options.estimateMs : undefined)), options.heartbeatMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (flags.capture) captured += chunk;
      else if (!flags.quietOutput) output.push(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearInterval(heartbeat);
      const why = error.code === 'ENOENT' ? `${command} not found on PATH` : error.message;
      reject(new TwinBuildError(unit.label, `${phase}: ${why}`, output.tail()));
    });
    child.on('close', (code, signal) => {
      clearInterval(heartbeat);
      if (code === 0) {
        resolve(captured);
        return;
      }
      const how = signal ? `killed by ${signal}` : `exited ${code}`;
      const shown = ['go', ...args.slice(0, 1)].join(' ');
      reject(new TwinBuildError(unit.label, `${phase}: ${shown} ${how} after ${formatDuration(Date.now() - started)}`, output.tail()));
    });
  });
}
