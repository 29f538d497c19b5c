// A catalogue step: the doc's words, one observation, one expectation. Steps live in a registry
// with IDs and dependencies (like the Gateway API conformance suite's test records), not in a
// long imperative script.

/** What a step reports besides pass/fail, in the doc's terms, for the conformance report. */
export interface StepRecord {
  expected?: string;
  observed?: string;
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
  run: (context: Context, record: StepRecord) => Promise<void>;
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

/** Fails the step unless `ok`: the message reads "SG-xx: expected …, but …". */
export function expectStep(stepId: string, ok: boolean, expected: string, observed: string): asserts ok {
  if (!ok) throw new StepFailure(stepId, expected, observed);
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
