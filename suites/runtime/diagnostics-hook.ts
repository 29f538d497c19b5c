// A catalogue's failure hook: a failed step's diagnostics bundle (helpers/diagnostics) in
// <catalogue's report folder>/diagnostics/<step ID>/, from what the catalogue says its context
// shows (the cluster, the gateway, the secrets' names, the run's keys to scan for). Written while
// the failure is fresh: before any later step or cleanup.
import path from 'node:path';
import { INDEX_FILE, stepFolder, writeBundle, type Budgets, type DiagnosticsTarget, type RunKey } from '../../helpers/diagnostics';
import type { FailureHook } from './results';
import { StepFailure, type StepDefinition } from './step';

export interface DiagnosedContext {
  target: DiagnosticsTarget;
  keys: RunKey[];
}

export function diagnosticsHook<Context>(
  catalogueId: string,
  catalogueDir: string,
  describe: (context: Context, step: StepDefinition<Context>) => DiagnosedContext,
  budgets?: Partial<Budgets>,
): FailureHook<Context> {
  return async ({ step, context, result, error }) => {
    const folder = stepFolder(catalogueDir, step.id);
    const { target, keys } = describe(context, step);
    const index = await writeBundle({ catalogue: catalogueId, folder, step: result, observation: error instanceof StepFailure ? error.observation : undefined, target, keys, budgets });
    const collected = index.parts.filter((part) => part.status === 'collected').length;
    const where = path.relative(process.cwd(), folder) || folder;
    process.stderr.write(`  ${step.id}: diagnostics in ${where} (${collected} of ${index.parts.length} parts collected, ${(index.durationMs / 1000).toFixed(1)} s)\n`);
    return path.relative(catalogueDir, path.join(folder, INDEX_FILE));
  };
}
