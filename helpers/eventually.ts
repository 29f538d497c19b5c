// Polls an observation until a predicate holds, the way upstream Istio's tests wait for config to
// propagate: a time budget, exponential backoff from a small delay with a cap, and a converge
// count (that many passes in a row). On timeout the error carries the last observation.
// The time spent waiting is added to the caller's wait meter, if it set one (meterWaits): the step
// runtime reports each step's waits beside its duration without every step passing a meter on.
import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { inspect } from 'node:util';

export interface EventuallyOptions<T> {
  /** Total time allowed, in ms (upstream: 2 min). */
  budgetMs: number;
  /** Passes in a row required (upstream: 3). */
  converge?: number;
  /** First delay after a failed check, in ms (upstream: 20). */
  initialDelayMs?: number;
  /** Cap on the delay, in ms (upstream: 16 × the first delay). */
  maxDelayMs?: number;
  /** Delay between two passing checks while converging, in ms. */
  convergeDelayMs?: number;
  /** What is awaited, in the doc's terms, for the timeout message. */
  expectation?: string;
  /** Renders an observation for a person (defaults to util.inspect). */
  render?: (observation: T) => string;
  signal?: AbortSignal;
}

/** What one call of the observer gave: its value, or the error it threw. */
export type Attempt<T> = { ok: true; value: T } | { ok: false; error: unknown };

export class EventuallyTimeout<T> extends Error {
  override name = 'EventuallyTimeout';
  constructor(
    readonly expectation: string,
    readonly last: Attempt<T> | undefined,
    readonly attempts: number,
    readonly elapsedMs: number,
    lastText: string,
  ) {
    super(`${expectation}: not seen within ${elapsedMs} ms (${attempts} attempts); last observed: ${lastText}`);
  }
}

/**
 * The time spent waiting for states while a piece of work ran: for each eventually, from its start
 * to the start of the first observation that held (the whole call when none held). A state seen at
 * the first look is no wait; the observations that confirm it (converge) are not waits either.
 */
export interface WaitMeter {
  ms: number;
  /** How many eventually calls. */
  waits: number;
}

const currentMeter = new AsyncLocalStorage<WaitMeter>();

/** Runs `work` with `meter` counting every eventually it awaits (nested async calls included). */
export function meterWaits<T>(meter: WaitMeter, work: () => Promise<T>): Promise<T> {
  return currentMeter.run(meter, work);
}

/**
 * Calls `observe` until `holds` is true `converge` times in a row, and returns the last
 * observation. A thrown error counts as a failed check; its message is kept as the observation.
 */
export async function eventually<T>(
  observe: () => Promise<T>,
  holds: (observation: T) => boolean,
  options: EventuallyOptions<T>,
): Promise<T> {
  const meter = currentMeter.getStore();
  const started = Date.now();
  const seen: { since?: number } = {};
  try {
    return await poll(observe, holds, options, started, seen);
  } finally {
    if (meter) {
      meter.ms += (seen.since ?? Date.now()) - started;
      meter.waits += 1;
    }
  }
}

async function poll<T>(observe: () => Promise<T>, holds: (observation: T) => boolean, options: EventuallyOptions<T>, started: number, seen: { since?: number }): Promise<T> {
  const converge = options.converge ?? 3;
  const initialDelay = options.initialDelayMs ?? 20;
  const maxDelay = options.maxDelayMs ?? initialDelay * 16;
  const convergeDelay = options.convergeDelayMs ?? initialDelay;
  const render = options.render ?? ((value: T) => inspect(value, { depth: 4, breakLength: Infinity }));
  let streak = 0;
  let attempts = 0;
  let nextDelay = initialDelay;
  let last: Attempt<T> | undefined;

  for (;;) {
    options.signal?.throwIfAborted();
    attempts += 1;
    const attemptStarted = Date.now();
    try {
      last = { ok: true, value: await observe() };
    } catch (error) {
      last = { ok: false, error };
    }
    if (last.ok && holds(last.value)) {
      if (streak === 0) seen.since = attemptStarted;
      streak += 1;
      nextDelay = initialDelay;
      if (streak >= converge) return last.value;
    } else {
      streak = 0;
      seen.since = undefined; // it flapped: the wait goes on
    }
    const elapsed = Date.now() - started;
    const wait = streak > 0 ? convergeDelay : nextDelay;
    if (elapsed + wait >= options.budgetMs) {
      const lastText = last.ok ? render(last.value) : errorText(last.error);
      throw new EventuallyTimeout(options.expectation ?? 'condition', last, attempts, elapsed, lastText);
    }
    await delay(wait, undefined, { signal: options.signal });
    if (streak === 0) nextDelay = Math.min(nextDelay * 2, maxDelay);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
