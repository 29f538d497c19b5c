// One time budget for a whole probe: every step races the same deadline, so the outcome is
// `timeout` in the phase that was running when it passed, whatever that step was waiting for.

/** Thrown (inside the probe) when the budget is spent. */
export class DeadlinePassed extends Error {
  override name = 'DeadlinePassed';
  constructor(readonly budgetMs: number) {
    super(`no outcome within ${budgetMs} ms`);
  }
}

export class Deadline {
  private readonly started = performance.now();
  private readonly passed: Promise<never>;
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly budgetMs: number) {
    this.passed = new Promise<never>((_resolve, reject) => {
      this.timer = setTimeout(() => reject(new DeadlinePassed(budgetMs)), budgetMs);
    });
    // Nobody may be racing at the moment it passes.
    this.passed.catch(() => undefined);
  }

  elapsedMs(): number {
    return Math.round(performance.now() - this.started);
  }

  remainingMs(): number {
    return Math.max(0, this.budgetMs - (performance.now() - this.started));
  }

  /** The work's result, or DeadlinePassed if the budget ends first (the work is then abandoned). */
  within<T>(work: Promise<T>): Promise<T> {
    work.catch(() => undefined); // a late failure of abandoned work is not unhandled
    return Promise.race([work, this.passed]);
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}
