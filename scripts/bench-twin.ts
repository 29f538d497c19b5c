// `npm run bench:twin [-- --runs N] [--cold]`: what the twin costs, measured here. Each run starts
// the twin (warm: binaries cached), runs the catalogue once with no fault, and stops the twin; the
// figures are the median of N runs: twin start, catalogue, the catalogue without its two
// propagation waits (SG-S4 waits for the SIMPLE Gateway, SG-M3 for MUTUAL), twin stop, and the
// whole. --cold first builds every pinned component with empty Go caches in a scratch folder (about
// 12 minutes on 2 cores) and prints the time of each component.
import { Command, InvalidArgumentError } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runMain } from '../helpers/cli';
import { loadSettings } from '../helpers/config';
import { formatDuration } from '../helpers/progress';
import { ensureBinaries } from '../twin/build';
import { readBuildRecords } from '../twin/build/timings';
import { checkTwinHost } from '../twin/preflight';
import { rehearse, startRehearsalTwin } from '../flows/rehearse';

const PROPAGATION_STEPS = ['SG-S4', 'SG-M3'];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 20) throw new InvalidArgumentError('a whole number from 1 to 20');
  return n;
}

async function coldBuild(log: (line: string) => void): Promise<void> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'igc-cold-build-'));
  const goEnv = { GOCACHE: path.join(scratch, 'go-build'), GOMODCACHE: path.join(scratch, 'go-mod') };
  const saved = { GOCACHE: process.env.GOCACHE, GOMODCACHE: process.env.GOMODCACHE };
  Object.assign(process.env, goEnv);
  const started = Date.now();
  try {
    await ensureBinaries(undefined, { cacheDir: path.join(scratch, 'cache'), istio: loadSettings().TWIN_ISTIO ?? '1.31-dev', progress: log });
    const records = readBuildRecords(path.join(scratch, 'cache'));
    console.log(`cold build (empty Go caches, ${os.cpus().length} cores): ${formatDuration(Date.now() - started)} in all; ${records.map((r) => `${r.unit} ${formatDuration(r.seconds * 1000)}`).join(', ')}`);
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(scratch, { recursive: true, force: true });
  }
}

runMain(async () => {
  const flags = new Command('bench:twin')
    .description('Time the twin: warm start, catalogue (with and without propagation waits), stop; --cold also times a cold build per component.')
    .option('--runs <n>', 'warm runs to take the median of', positive, 3)
    .option('--cold', 'first build every component with empty Go caches in a scratch folder')
    .exitOverride()
    .parse(process.argv.slice(2), { from: 'user' })
    .opts<{ runs: number; cold?: boolean }>();
  const settings = loadSettings();
  const quietLog = (line: string) => (/error|fail/i.test(line) ? console.error(line) : undefined);
  await checkTwinHost(settings, (line) => console.error(line));
  if (flags.cold) await coldBuild((line) => console.error(`cold build: ${line}`));
  await ensureBinaries(undefined, { progress: (line) => console.error(`twin:build: ${line}`) });
  const figures: Record<string, number[]> = { start: [], catalogue: [], 'catalogue without propagation waits': [], stop: [], total: [] };
  const reportDir = mkdtempSync(path.join(os.tmpdir(), 'igc-bench-reports-'));
  try {
    for (let run = 1; run <= flags.runs; run += 1) {
      const began = Date.now();
      const twin = await startRehearsalTwin(settings, quietLog);
      const started = Date.now();
      let stopMs = 0;
      try {
        const outcome = await rehearse(twin, { faults: [], reportDir, quiet: true, host: settings.HOST });
        const failed = outcome.results?.steps.filter((step) => step.status === 'failed').map((step) => step.id) ?? ['(no results)'];
        if (failed.length > 0) throw new Error(`run ${run}: steps failed (${failed.join(', ')}): the figures would not be of a passing run`);
        const catalogueMs = outcome.phases.catalogue ?? 0;
        const waits = outcome.results!.steps.filter((step) => PROPAGATION_STEPS.includes(step.id)).reduce((sum, step) => sum + step.durationMs, 0);
        figures.start!.push(started - began);
        figures.catalogue!.push(catalogueMs);
        figures['catalogue without propagation waits']!.push(catalogueMs - waits);
      } finally {
        const stopping = Date.now();
        await twin.release();
        stopMs = Date.now() - stopping;
      }
      figures.stop!.push(stopMs);
      figures.total!.push(Date.now() - began);
      console.error(`bench:twin: run ${run} of ${flags.runs}: ${formatDuration(Date.now() - began)}`);
    }
  } finally {
    rmSync(reportDir, { recursive: true, force: true });
  }
  console.log(`bench:twin on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 1024 ** 3)} GiB, load ${os.loadavg()[0]!.toFixed(1)}; median of ${flags.runs} warm runs (min-max):`);
  for (const [name, values] of Object.entries(figures)) {
    console.log(`  ${name.padEnd(38)} ${formatDuration(median(values)).padStart(8)}  (${formatDuration(Math.min(...values))}-${formatDuration(Math.max(...values))})`);
  }
  return 0;
});
