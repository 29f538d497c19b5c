// The outcome of each step of one run, in catalogue order, as the conformance report lists them.
import { StepFailure, StepSkipped, stepHandle, type StepDefinition, type StepHandle } from './step';
import { formatDuration, heartbeat } from '../../helpers/progress';
import { meterWaits, type WaitMeter } from '../../helpers/eventually';
import type { StepResult } from '../../helpers/report/model';

/** What the runtime knows of a step when it has just failed. */
export interface FailedStep<Context> {
  step: StepDefinition<Context>;
  context: Context;
  /** The failure as recorded (the report's entry). */
  result: StepResult;
  error: unknown;
}

/**
 * Called once a failure is recorded and before any later step (cleanup included) changes the
 * cluster; returns where its bundle's index.json went (relative to the report folder), if anywhere.
 */
export type FailureHook<Context> = (failure: FailedStep<Context>) => Promise<string | undefined>;

export interface RunPolicy {
  /** Once a step fails, skip every later step except the `always` ones (fault rehearsals). */
  stopAtFirstFailure: boolean;
  /** Run only these step IDs (and report the rest skipped). */
  only?: Set<string>;
}

/**
 * Decides, step by step, whether a step runs or is skipped and why, and keeps every result.
 * Shared between the test file (which runs steps) and the jest environment (which skips them).
 */
export class StepLedger<Context> {
  private readonly results = new Map<string, StepResult>();
  private readonly byTestName = new Map<string, StepDefinition<Context>>();
  private firstFailure: string | undefined;
  private prepareError: string | undefined;

  constructor(
    readonly steps: ReadonlyArray<StepDefinition<Context>>,
    private readonly policy: RunPolicy,
    private readonly onFailure?: FailureHook<Context>,
  ) {
    const ids = new Set<string>();
    for (const step of steps) {
      if (ids.has(step.id)) throw new Error(`duplicate step ID ${step.id}`);
      for (const dependency of step.dependsOn ?? []) {
        if (!ids.has(dependency)) throw new Error(`${step.id} depends on ${dependency}, which does not come before it`);
      }
      ids.add(step.id);
      this.byTestName.set(testName(step), step);
    }
  }

  /** Why a step must be skipped now, or undefined if it runs. */
  skipReason(step: StepDefinition<Context>, context: Context | undefined): string | undefined {
    if (context === undefined) return `the target could not be prepared: ${this.prepareError ?? 'unknown reason'}`;
    const notApplicable = step.notApplicable?.(context);
    if (notApplicable) return notApplicable;
    // Cleanup runs whatever was selected or failed: it removes what the other steps made.
    if (step.always) return undefined;
    if (this.policy.only && !this.policy.only.has(step.id)) return 'not selected (--only)';
    if (this.policy.stopAtFirstFailure && this.firstFailure) return `stopped after the first failure (${this.firstFailure})`;
    const blocked = (step.dependsOn ?? []).filter((id) => this.results.get(id)?.status !== 'passed');
    if (blocked.length > 0) return `depends on ${blocked.map((id) => `${id} (${this.results.get(id)?.status ?? 'not run'})`).join(', ')}`;
    return undefined;
  }

  /** Why the run's context could not be made: every step is then skipped with this reason. */
  preparationFailed(message: string): void {
    this.prepareError = message;
  }

  stepForTest(name: string): StepDefinition<Context> | undefined {
    return this.byTestName.get(name);
  }

  recordSkip(step: StepDefinition<Context>, reason: string): void {
    this.results.set(step.id, { id: step.id, title: step.title, status: 'skipped', durationMs: 0, reason });
  }

  /** Runs a step and records its outcome; rethrows the failure so the test runner shows it. */
  async run(step: StepDefinition<Context>, context: Context): Promise<void> {
    const handle = stepHandle(step.id);
    const started = Date.now();
    const meter: WaitMeter = { ms: 0, waits: 0 };
    const timing = () => ({ durationMs: Date.now() - started, startedAt: new Date(started).toISOString(), ...(meter.waits > 0 ? { waitMs: meter.ms } : {}) });
    // A step waiting out its budget would leave the run silent (jest prints a test when it ends).
    const stopBeat = heartbeat((elapsed) => process.stderr.write(`  ${step.id} still running (${formatDuration(elapsed)})${handle.expected ? `: waiting for ${handle.expected}` : ''}\n`));
    try {
      await meterWaits(meter, () => step.run(context, handle));
      this.results.set(step.id, { id: step.id, title: step.title, status: 'passed', ...timing(), ...reported(handle) });
    } catch (error) {
      if (error instanceof StepSkipped) {
        this.recordSkip(step, error.reason);
        return;
      }
      const failure =
        error instanceof StepFailure
          ? { expected: error.expected, observed: error.observed }
          : { expected: handle.expected, observed: error instanceof Error ? error.message : String(error) };
      const result: StepResult = { id: step.id, title: step.title, status: 'failed', ...timing(), ...failure };
      this.results.set(step.id, result);
      this.firstFailure ??= step.id;
      stopBeat(); // the heartbeat speaks of the step, which is over
      await this.collectDiagnostics({ step, context, result, error });
      throw error;
    } finally {
      stopBeat();
    }
  }

  // Only after a failure, so a passing run's steps keep their timing; never fails the run itself.
  private async collectDiagnostics(failure: FailedStep<Context>): Promise<void> {
    if (!this.onFailure) return;
    try {
      const index = await this.onFailure(failure);
      if (index) failure.result.diagnostics = index;
    } catch (error) {
      process.stderr.write(`  ${failure.step.id}: no diagnostics bundle: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }

  /** One result per catalogue step, in catalogue order; a step never reached is skipped. */
  report(): StepResult[] {
    return this.steps.map(
      (step) => this.results.get(step.id) ?? { id: step.id, title: step.title, status: 'skipped', durationMs: 0, reason: 'not reached (the run was interrupted)' },
    );
  }
}

/** What a passed step's handle reports: only what the step set (the handle also holds its checks). */
function reported(handle: StepHandle): Pick<StepResult, 'expected' | 'observed'> {
  return { ...(handle.expected !== undefined ? { expected: handle.expected } : {}), ...(handle.observed !== undefined ? { observed: handle.observed } : {}) };
}

export function testName(step: { id: string; title: string }): string {
  return `${step.id} ${step.title}`;
}
