// The cleanup every catalogue ends with: what the run created is deleted, what it replaced is put
// back as it was (the run's ledger, played back), and each is then checked on the API server.
import { get, isOwned, restore, RestoreError, type BackupLedger, type KubeClient } from '../../helpers/kube';
import type { StepHandle } from './step';

export async function restoreRunObjects(context: { kube: KubeClient; ledger: BackupLedger; budgets: { waitMs: number } }, step: StepHandle): Promise<void> {
  const entries = [...context.ledger.entries];
  step.expected = 'every object the suite created is gone (404), every object it replaced is as it was';
  let done: string[];
  try {
    done = await restore(context.kube, context.ledger, { waitBudgetMs: context.budgets.waitMs });
  } catch (error) {
    if (!(error instanceof RestoreError)) throw error;
    step.fail(`${error.message}${error.done.length ? ` (done: ${error.done.join('; ')})` : ''}`);
  }
  for (const entry of entries) {
    const now = await get(context.kube, entry.ref);
    const createdBySuite = entry.before === null;
    const where = `${entry.ref.kind} ${entry.ref.namespace}/${entry.ref.name}`;
    step.expect(createdBySuite ? now === undefined : now !== undefined && !isOwned(now), createdBySuite ? `${where} is still there after cleanup` : `${where}, which existed before the run, was not put back`);
  }
  step.observed = done.length ? done.join('; ') : 'nothing to clean up: the suite made no objects';
}
