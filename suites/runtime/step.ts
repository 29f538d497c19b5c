// A catalogue step: the doc's words, one observation, one expectation. Steps live in a registry
// with IDs and dependencies (like the Gateway API conformance suite's test records), not in a
// long imperative script.
import { eventually, EventuallyTimeout } from '../../helpers/eventually';
import type { StatePoll } from './await-state';

/**
 * What a step's run is given besides its context: its own ID, what it reports besides pass/fail
 * (in the doc's terms, for the conformance report), and the checks and waits, which fail or skip
 * the step under that ID (a step never restates its ID, so it cannot name another step).
 */
export interface StepHandle {
  readonly id: string;
  expected?: string;
  observed?: string;
  /** Fails the step unless `ok`: "SG-xx: expected <expected, else the handle's>, but <observed>". */
  expect(ok: boolean, observed: string, expected?: string): asserts ok;
  /** Fails the step against the handle's expected; `observation` goes to the diagnostics bundle. */
  fail(observed: string, observation?: unknown): never;
  /** Skips the step: it learnt while running that it cannot apply. */
  skip(reason: string): never;
  /**
   * Polls `observe` until `holds` (eventually); on timeout fails the step with
   * `observed(timeout)`, carrying the last observation for the diagnostics bundle.
   */
  awaitState<T>(expected: string, observe: () => Promise<T>, holds: (seen: T) => boolean, poll: StatePoll<T>, observed: (timeout: EventuallyTimeout<T>) => string): Promise<T>;
}

/** An object a step depends on, named as the Kubernetes API names it (for a failure's diagnostics). */
export interface StepObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface StepDefinition<Context> {
  /** Stable ID from STEPS.md, e.g. 'SG-S4'. */
  id: string;
  /** The doc's words. */
  title: string;
  /** Steps whose failure makes this one meaningless; it is then reported skipped. */
  dependsOn?: string[];
  /** Runs whatever happened before (cleanup). */
  always?: boolean;
  /** A reason why the step cannot apply to this target or profile, or undefined. */
  notApplicable?: (context: Context) => string | undefined;
  /** The objects whose state explains a failure of this step; the catalogue's default when absent. */
  objects?: (context: Context) => StepObject[];
  run: (context: Context, step: StepHandle) => Promise<void>;
}

/** A step's failure in the doc's terms: what was expected and what was observed instead. */
export class StepFailure extends Error {
  override name = 'StepFailure';
  constructor(
    readonly stepId: string,
    readonly expected: string,
    readonly observed: string,
    /** What the step last saw, structured (the probe's observation), for the failure's diagnostics. */
    readonly observation?: unknown,
  ) {
    super(`${stepId}: expected ${expected}, but ${observed}`);
  }
}

/**
 * A step that learns only while running that it cannot apply (the gateway image has no `ls`): it
 * is reported skipped with the reason, not failed.
 */
export class StepSkipped extends Error {
  override name = 'StepSkipped';
  constructor(
    readonly stepId: string,
    readonly reason: string,
  ) {
    super(`${stepId}: skipped: ${reason}`);
  }
}

// A failure needs an expectation; a step that states none yet still fails in readable words.
const NO_EXPECTATION = 'the step to pass';

/** The handle the ledger gives a step's run (and a test that runs a step by itself). */
export function stepHandle(id: string): StepHandle {
  const handle: StepHandle = {
    id,
    expect(ok: boolean, observed: string, expected?: string): asserts ok {
      if (!ok) throw new StepFailure(id, expected ?? handle.expected ?? NO_EXPECTATION, observed);
    },
    fail(observed, observation) {
      throw new StepFailure(id, handle.expected ?? NO_EXPECTATION, observed, observation);
    },
    skip(reason) {
      throw new StepSkipped(id, reason);
    },
    async awaitState<T>(expected: string, observe: () => Promise<T>, holds: (seen: T) => boolean, poll: StatePoll<T>, observed: (timeout: EventuallyTimeout<T>) => string): Promise<T> {
      try {
        return await eventually(observe, holds, { ...poll, expectation: `${id}: ${expected}` });
      } catch (error) {
        if (!(error instanceof EventuallyTimeout)) throw error;
        const timeout = error as EventuallyTimeout<T>;
        throw new StepFailure(id, expected, observed(timeout), timeout.last?.ok ? timeout.last.value : undefined);
      }
    },
  };
  return handle;
}
