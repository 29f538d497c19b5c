// `npm test -- --repeat N`: the same catalogue run N times on one target, summed up per step (pass
// rate, p50 and p95 of the duration), so that a step that passes only sometimes is named as flaky
// instead of hidden behind a lucky last run.
import type { StepResult } from './model';

/** One of the N runs: when it began, how long it took, and its step results in catalogue order. */
export interface RepeatRun {
  run: number;
  startedAt: string;
  durationMs: number;
  steps: StepResult[];
}

export type StepStability = 'stable' | 'flaky' | 'failing' | 'not run';

export interface RepeatStep {
  id: string;
  title: string;
  passed: number;
  failed: number;
  skipped: number;
  /** passed / (passed + failed): skipped runs say nothing of the step; null when it never ran. */
  passRate: number | null;
  /** Of the runs in which the step ran (passed or failed); null when it never ran. */
  p50Ms: number | null;
  p95Ms: number | null;
  /** flaky: pass rate strictly between 0 and 1; failing: it ran and never passed. */
  stability: StepStability;
  /** The run numbers in which it failed, with what was expected and observed. */
  failures: Array<{ run: number; expected?: string; observed?: string }>;
}

export interface RepeatSummary {
  runs: number;
  /** Runs with at least one failed step. */
  failedRuns: number;
  steps: RepeatStep[];
  /** Each run in one line: when, how long, its counts. */
  perRun: Array<{ run: number; startedAt: string; durationMs: number; passed: number; failed: number; skipped: number }>;
}

/**
 * The nearest-rank percentile (the smallest value with at least q of the values at or below it):
 * always a duration that was measured, never an interpolation between two runs.
 */
export function percentile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  if (!(q > 0 && q <= 1)) throw new RangeError(`percentile: q must be in (0, 1], got ${q}`);
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(q * sorted.length) - 1]!;
}

export function stabilityOf(passed: number, failed: number): StepStability {
  if (passed + failed === 0) return 'not run';
  if (failed === 0) return 'stable';
  return passed === 0 ? 'failing' : 'flaky';
}

/** Per step, over every run (steps matched by ID, in the first run's catalogue order). */
export function summarizeRepeat(runs: readonly RepeatRun[]): RepeatSummary {
  const order = new Map<string, string>();
  for (const run of runs) for (const step of run.steps) if (!order.has(step.id)) order.set(step.id, step.title);
  const steps = [...order].map(([id, title]): RepeatStep => {
    const results = runs.map((run) => ({ run: run.run, result: run.steps.find((step) => step.id === id) }));
    const ran = results.filter((entry) => entry.result && entry.result.status !== 'skipped');
    const passed = ran.filter((entry) => entry.result!.status === 'passed').length;
    const failed = ran.length - passed;
    const durations = ran.map((entry) => entry.result!.durationMs);
    return {
      id,
      title,
      passed,
      failed,
      skipped: runs.length - ran.length,
      passRate: ran.length === 0 ? null : passed / ran.length,
      p50Ms: percentile(durations, 0.5),
      p95Ms: percentile(durations, 0.95),
      stability: stabilityOf(passed, failed),
      failures: ran
        .filter((entry) => entry.result!.status === 'failed')
        .map((entry) => ({ run: entry.run, expected: entry.result!.expected, observed: entry.result!.observed })),
    };
  });
  const count = (run: RepeatRun, status: StepResult['status']) => run.steps.filter((step) => step.status === status).length;
  return {
    runs: runs.length,
    failedRuns: runs.filter((run) => count(run, 'failed') > 0).length,
    steps,
    perRun: runs.map((run) => ({ run: run.run, startedAt: run.startedAt, durationMs: run.durationMs, passed: count(run, 'passed'), failed: count(run, 'failed'), skipped: count(run, 'skipped') })),
  };
}

export function flakySteps(summary: RepeatSummary): RepeatStep[] {
  return summary.steps.filter((step) => step.stability === 'flaky');
}

const percent = (rate: number | null) => (rate === null ? '-' : `${Math.round(rate * 100)}%`);
const seconds = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(2)} s`);

/** The table `npm test -- --repeat N` prints, then one line naming the flaky steps (or saying there are none). */
export function repeatTable(summary: RepeatSummary): string {
  const rows = [
    ['step', 'pass rate', 'passed', 'failed', 'skipped', 'p50', 'p95', ''],
    ...summary.steps.map((step) => [step.id, percent(step.passRate), String(step.passed), String(step.failed), String(step.skipped), seconds(step.p50Ms), seconds(step.p95Ms), step.stability === 'stable' ? '' : step.stability.toUpperCase()]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ').trimEnd());
  const flaky = flakySteps(summary);
  lines.push(
    flaky.length > 0
      ? `flaky (passed in some runs, failed in others): ${flaky.map((step) => `${step.id} ${percent(step.passRate)} (failed in run ${step.failures.map((failure) => failure.run).join(', ')})`).join('; ')}`
      : 'flaky: none',
  );
  return lines.join('\n');
}
