// The step handle fails, skips and times out under its own step's ID, with the step's expectation
// unless a check states its own.
import { describe, expect, test } from '@jest/globals';
import { StepFailure, StepSkipped, stepHandle, type StepHandle } from './step';

const thrown = (act: () => unknown): unknown => {
  try {
    act();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('stepHandle', () => {
  test('expect passes when ok, and fails under the handle\'s ID with its expected, or the check\'s own', () => {
    const step: StepHandle = stepHandle('SG-Z1');
    step.expected = 'HTTP 418';
    expect(thrown(() => step.expect(true, 'unused'))).toBeUndefined();
    expect(thrown(() => step.expect(false, 'it answered 503'))).toMatchObject({ stepId: 'SG-Z1', expected: 'HTTP 418', observed: 'it answered 503', message: 'SG-Z1: expected HTTP 418, but it answered 503' });
    expect(thrown(() => step.expect(false, 'a 404', 'the stored spec'))).toMatchObject({ stepId: 'SG-Z1', expected: 'the stored spec' });
  });

  test('fail carries the observation; skip gives the reason; a step that stated no expectation still reads', () => {
    const step = stepHandle('SG-Z2');
    const failure = thrown(() => step.fail('refused', { outcome: 'tls-alert' }));
    expect(failure).toBeInstanceOf(StepFailure);
    expect(failure).toMatchObject({ stepId: 'SG-Z2', expected: 'the step to pass', observation: { outcome: 'tls-alert' } });
    const skipped = thrown(() => step.skip('no ls in the image'));
    expect(skipped).toBeInstanceOf(StepSkipped);
    expect(skipped).toMatchObject({ stepId: 'SG-Z2', reason: 'no ls in the image' });
  });

  test('awaitState returns what held, or fails under the handle\'s ID with the last observation', async () => {
    const step = stepHandle('SG-Z3');
    const poll = { budgetMs: 60, converge: 1, initialDelayMs: 5, maxDelayMs: 10 };
    await expect(step.awaitState('a 418', async () => 418, (seen) => seen === 418, poll, () => 'unused')).resolves.toBe(418);
    const failure = await step.awaitState('a 418', async () => 503, (seen) => seen === 418, poll, (timeout) => `it answered ${String(timeout.last?.ok && timeout.last.value)}`).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StepFailure);
    expect(failure).toMatchObject({ stepId: 'SG-Z3', expected: 'a 418', observed: 'it answered 503', observation: 503 });
  });
});
