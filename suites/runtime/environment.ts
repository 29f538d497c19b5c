// The jest environment of the conformance suites. jest has no runtime skip, but jest-circus awaits
// the environment's handleTestEvent on `test_start` before it checks `test.mode`: setting the mode
// there reports a step as skipped (with its reason in the title) instead of a cascade of failures.
import { TestEnvironment } from 'jest-environment-node';
import type { Circus } from '@jest/types';
import type { StepLedger } from './results';

export const LEDGER_GLOBAL = '__conformanceLedger';
export const CONTEXT_GLOBAL = '__conformanceContext';

export default class ConformanceEnvironment extends TestEnvironment {
  async handleTestEvent(event: Circus.Event): Promise<void> {
    if (event.name !== 'test_start') return;
    const ledger = this.global[LEDGER_GLOBAL] as StepLedger<unknown> | undefined;
    const step = ledger?.stepForTest(event.test.name);
    if (!ledger || !step) return;
    const reason = ledger.skipReason(step, this.global[CONTEXT_GLOBAL]);
    if (reason === undefined) return;
    ledger.recordSkip(step, reason);
    event.test.mode = 'skip';
    event.test.name = `${event.test.name} (skipped: ${reason})`;
  }
}
