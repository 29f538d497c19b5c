// `npm test -- --repeat N`: the catalogue run N times on one prepared target. Before every run after
// the first, the target puts back what the previous run's cleanup removed (the httpbin sample
// SG-X2 deletes when the suite deployed it). Ctrl-C or SIGTERM ends the loop after the current run:
// the run's own cleanup steps finish, and the target is then given back as after a single run.
import { UsageError } from '../helpers/config';
import type { RepeatRun } from '../helpers/report/repeat';
import type { CatalogueResults } from '../helpers/report/model';

export const MAX_REPEAT = 100;

/** The --repeat value as a number of runs, 1 to MAX_REPEAT; undefined when not given. */
export function checkedRepeat(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const runs = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!(Number.isInteger(runs) && runs >= 1 && runs <= MAX_REPEAT)) {
    throw new UsageError(`--repeat ${JSON.stringify(text)} is not accepted: give how many times to run the catalogue, a whole number from 1 to ${MAX_REPEAT}`);
  }
  return runs;
}

export interface RepeatOptions {
  times: number;
  /** One catalogue run; undefined when it ended without results. */
  runOnce: () => Promise<CatalogueResults | undefined>;
  /** Puts back what a run's cleanup removed, before the next run. */
  prepareNextRun?: () => Promise<void>;
  log: (line: string) => void;
}

export interface RepeatOutcome {
  runs: RepeatRun[];
  /** The last run's results (the report's steps). */
  last?: CatalogueResults;
  /** Why fewer than `times` runs were made, if so. */
  stoppedBecause?: string;
}

export async function runRepeatedly(options: RepeatOptions): Promise<RepeatOutcome> {
  const outcome: RepeatOutcome = { runs: [] };
  let signal: string | undefined;
  const stop = (name: string) => () => {
    signal ??= name;
    options.log(`conformance: ${name}: stopping after the current run (its cleanup steps still run)`);
  };
  const onInterrupt = stop('SIGINT');
  const onTerminate = stop('SIGTERM');
  // Only for several runs: a single run keeps the default handling it always had.
  if (options.times > 1) {
    process.on('SIGINT', onInterrupt);
    process.on('SIGTERM', onTerminate);
  }
  try {
    for (let run = 1; run <= options.times; run += 1) {
      if (signal) {
        outcome.stoppedBecause = `${signal} after run ${run - 1} of ${options.times}`;
        break;
      }
      if (run > 1) {
        // A target that cannot be put back ends the loop; the runs made so far are still reported.
        const failure = await options.prepareNextRun?.().then(
          () => undefined,
          (error: unknown) => (error instanceof Error ? error.message : String(error)),
        );
        if (failure !== undefined) {
          options.log(`conformance: could not put the target back for run ${run}: ${failure}`);
          outcome.stoppedBecause = `putting the target back for run ${run} of ${options.times} failed: ${failure}`;
          break;
        }
      }
      if (options.times > 1) options.log(`conformance: run ${run} of ${options.times}`);
      const started = Date.now();
      const results = await options.runOnce();
      if (!results) {
        outcome.stoppedBecause = `run ${run} of ${options.times} ended without results`;
        break;
      }
      outcome.runs.push({ run, startedAt: new Date(started).toISOString(), durationMs: Date.now() - started, steps: results.steps });
      outcome.last = results;
    }
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onTerminate);
  }
  return outcome;
}
