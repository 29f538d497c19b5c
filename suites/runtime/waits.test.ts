// The ledger reports when each step began and how much of its time went into waiting for the
// gateway (eventually's polls), measured on real timers: the HTML report's timeline draws both.
import { describe, expect, test } from '@jest/globals';
import { setTimeout as delay } from 'node:timers/promises';
import { eventually } from '../../helpers/eventually';
import { StepLedger } from './results';
import type { StepDefinition, StepHandle } from './step';

/** An observation that becomes true once `afterMs` have passed since the first call. */
function becomesTrueAfter(afterMs: number): () => Promise<boolean> {
  let first: number | undefined;
  return async () => {
    first ??= Date.now();
    return Date.now() - first >= afterMs;
  };
}

const steps: StepDefinition<undefined>[] = [
  {
    id: 'W-1',
    title: 'waits 150 ms for a state, then works 100 ms more',
    run: async () => {
      await eventually(becomesTrueAfter(150), (ok) => ok, { budgetMs: 2_000, converge: 1, initialDelayMs: 5, maxDelayMs: 20 });
      await delay(100);
    },
  },
  { id: 'W-2', title: 'works without waiting', run: async () => void (await delay(30)) },
  {
    id: 'W-3',
    title: 'waits in vain',
    run: async (_context, step: StepHandle) => {
      const seen = await eventually(async () => false, (ok) => ok, { budgetMs: 120, converge: 1, initialDelayMs: 5, maxDelayMs: 20 }).catch(() => false);
      step.expect(seen, 'it did not come', 'a state that never comes');
    },
  },
  {
    id: 'W-4',
    title: 'sees the state at the first look, then confirms it',
    run: async () => {
      await eventually(async () => delay(40).then(() => true), (ok) => ok, { budgetMs: 2_000, converge: 3, initialDelayMs: 30 });
    },
  },
];

describe('step timing in the ledger', () => {
  test('a step records its start and the part of its duration spent in eventually; a step that never waited has no waitMs', async () => {
    const ledger = new StepLedger(steps, { stopAtFirstFailure: false });
    const before = Date.now();
    await ledger.run(steps[0]!, undefined);
    await ledger.run(steps[1]!, undefined);
    await expect(ledger.run(steps[2]!, undefined)).rejects.toThrow(/W-3: expected a state that never comes/);
    const [waited, plain, failed] = ledger.report();

    expect(Date.parse(waited!.startedAt!)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(plain!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(waited!.startedAt!) + waited!.durationMs);
    expect(waited!.waitMs).toBeGreaterThanOrEqual(150);
    // The 100 ms of work after the wait are in the duration, not in the wait.
    expect(waited!.durationMs - waited!.waitMs!).toBeGreaterThanOrEqual(95);
    expect(plain!.waitMs).toBeUndefined();
    expect(plain!.durationMs).toBeGreaterThanOrEqual(28);
    // A failed step keeps its wait too: the report shows how long it waited before giving up.
    expect(failed).toMatchObject({ status: 'failed', expected: 'a state that never comes' });
    expect(failed!.waitMs).toBeGreaterThanOrEqual(100);
  });

  test('a state seen at the first look is no wait, however long its look and its confirmations take', async () => {
    const ledger = new StepLedger(steps, { stopAtFirstFailure: false });
    const step = steps.find((candidate) => candidate.id === 'W-4')!;
    await ledger.run(step, undefined);
    const [result] = ledger.report().filter((candidate) => candidate.id === 'W-4');
    expect(result!.durationMs).toBeGreaterThanOrEqual(150);
    expect(result!.waitMs).toBe(0);
  });

  test('waits of one step are not counted in another running at the same time', async () => {
    const ledger = new StepLedger(steps.slice(0, 2), { stopAtFirstFailure: false });
    await Promise.all([ledger.run(steps[0]!, undefined), ledger.run(steps[1]!, undefined)]);
    const [waited, plain] = ledger.report();
    expect(waited!.waitMs).toBeGreaterThanOrEqual(150);
    expect(plain!.waitMs).toBeUndefined();
  });
});
