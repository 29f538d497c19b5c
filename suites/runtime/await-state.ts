// What a step's wait for the gateway to show a state is given (StepHandle.awaitState), and how a
// failed wait says how long it lasted. One shape for every step's polls.
import type { EventuallyOptions, EventuallyTimeout } from '../../helpers/eventually';

export type StatePoll<T> = Omit<EventuallyOptions<T>, 'expectation'>;

/** "(still so after 12 s, 30 attempts)": how long a failed wait lasted. */
export function stillSo(timeout: EventuallyTimeout<unknown>, what = 'attempts'): string {
  return `(still so after ${Math.round(timeout.elapsedMs / 1000)} s, ${timeout.attempts} ${what})`;
}
