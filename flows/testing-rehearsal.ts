// What both rehearsal proofs (flows/rehearse-*faults.twin.test.ts) check of a fault's run: the first
// failed step is the one the fault breaks, for its reason, and every step before it passed.
import { expect } from '@jest/globals';
import type { StepResult } from '../helpers/report/model';
import type { RehearsalResult } from './rehearse';

export function expectCaughtAt(outcome: RehearsalResult, breaks: string, reason: RegExp | undefined, stepOrder: string[], notApplicable: (step: StepResult) => boolean = () => false): void {
  expect(outcome.results).toBeDefined();
  // On a miss, the whole run says what happened.
  const summary = outcome.results!.steps.map((step) => `${step.id} ${step.status} ${step.durationMs}ms: ${step.observed ?? step.reason ?? ''}`.slice(0, 300));
  expect({ firstFailed: outcome.firstFailed?.id, summary }).toEqual({ firstFailed: breaks, summary: expect.any(Array) });
  expect(reason).toBeDefined();
  expect(outcome.firstFailed?.observed ?? '').toMatch(reason!);
  // Every step before it ran and passed (or cannot apply): the fault broke nothing earlier.
  const before = outcome.results!.steps.filter((step) => stepOrder.indexOf(step.id) < stepOrder.indexOf(breaks));
  expect(before.filter((step) => step.status !== 'passed' && !notApplicable(step)).map((step) => step.id)).toEqual([]);
}
