// Turns a catalogue into jest tests: one test a step, titled with its ID, in catalogue order.
// The context (cluster, gateway address, certificates) is prepared once; the results are written
// for the report after the last step.
import { afterAll, beforeAll, describe, test } from '@jest/globals';
import { awaitGoAhead } from './go-ahead';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CONTEXT_GLOBAL, LEDGER_GLOBAL } from './environment';
import { StepLedger, testName, type FailureHook, type RunPolicy } from './results';
import type { CatalogueResults } from '../../helpers/report/model';
import type { StepDefinition } from './step';

export interface CatalogueOptions<Context> {
  name: string;
  steps: ReadonlyArray<StepDefinition<Context>>;
  policy: RunPolicy;
  /** Makes the context; a failure skips every step with its message as the reason. */
  prepare: () => Promise<Context>;
  /** Releases what prepare made (after the cleanup steps). */
  release?: (context: Context | undefined) => Promise<void>;
  /** Where the step results go as JSON (read by the report writer). */
  resultsFile?: string;
  /** Time allowed to a step, in ms (jest's per-test timeout). */
  stepTimeoutMs: number;
  /** Collects a failed step's diagnostics before the next step runs (results.ts FailureHook). */
  onFailure?: FailureHook<Context>;
  /** Facts about the run the report names (profile, versions), read from the context at the end. */
  describeRun?: (context: Context | undefined) => Record<string, unknown>;
}


export function defineCatalogue<Context>(options: CatalogueOptions<Context>): StepLedger<Context> {
  const ledger = new StepLedger(options.steps, options.policy, options.onFailure);
  const globals = globalThis as Record<string, unknown>;
  globals[LEDGER_GLOBAL] = ledger;

  describe(options.name, () => {
    beforeAll(async () => {
      try {
        await awaitGoAhead(process.env.TARGET_READY_FILE, options.stepTimeoutMs - 5_000);
        globals[CONTEXT_GLOBAL] = await options.prepare();
      } catch (error) {
        ledger.preparationFailed(error instanceof Error ? error.message : String(error));
      }
    }, options.stepTimeoutMs);

    for (const step of options.steps) {
      test(
        testName(step),
        async () => {
          // The environment has already skipped the step if it cannot run.
          await ledger.run(step, globals[CONTEXT_GLOBAL] as Context);
        },
        options.stepTimeoutMs,
      );
    }

    afterAll(async () => {
      try {
        await options.release?.(globals[CONTEXT_GLOBAL] as Context | undefined);
      } finally {
        if (options.resultsFile) {
          mkdirSync(path.dirname(options.resultsFile), { recursive: true });
          const context = globals[CONTEXT_GLOBAL] as Context | undefined;
          const results: CatalogueResults = { catalogue: options.name, run: options.describeRun?.(context) ?? {}, steps: ledger.report() };
          writeFileSync(options.resultsFile, JSON.stringify(results, null, 2));
        }
      }
    }, options.stepTimeoutMs);
  });
  return ledger;
}
