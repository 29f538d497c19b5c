// A step waits for the gateway to show a state; if it never does within the budget, the step fails
// with what it expected and the last thing it saw. One shape for every step's polls.
import { eventually, EventuallyTimeout, type EventuallyOptions } from '../../helpers/eventually';
import { StepFailure } from './step';

export type StatePoll<T> = Omit<EventuallyOptions<T>, 'expectation'>;

/**
 * Polls `observe` until `holds` (eventually); on timeout throws a StepFailure whose observed text
 * is `observed(timeout)` and which carries the last observation for the diagnostics bundle.
 */
export async function awaitState<T>(
  stepId: string,
  expected: string,
  observe: () => Promise<T>,
  holds: (seen: T) => boolean,
  poll: StatePoll<T>,
  observed: (timeout: EventuallyTimeout<T>) => string,
): Promise<T> {
  try {
    return await eventually(observe, holds, { ...poll, expectation: `${stepId}: ${expected}` });
  } catch (error) {
    if (!(error instanceof EventuallyTimeout)) throw error;
    const timeout = error as EventuallyTimeout<T>;
    throw new StepFailure(stepId, expected, observed(timeout), timeout.last?.ok ? timeout.last.value : undefined);
  }
}

/** "(still so after 12 s, 30 attempts)": how long a failed wait lasted. */
export function stillSo(timeout: EventuallyTimeout<unknown>, what = 'attempts'): string {
  return `(still so after ${Math.round(timeout.elapsedMs / 1000)} s, ${timeout.attempts} ${what})`;
}
