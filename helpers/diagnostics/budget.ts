// Every part of a bundle runs under a time budget and never throws: a cluster that does not
// answer, or answers slowly, costs at most the budget and leaves a reason in the index.

export type Budgeted<T> = { ok: true; value: T; durationMs: number } | { ok: false; error: unknown; timedOut: boolean; durationMs: number };

export class BudgetExceeded extends Error {
  override name = 'BudgetExceeded';
  constructor(readonly budgetMs: number) {
    super(`did not finish within its budget of ${budgetMs} ms`);
  }
}

/** Runs `work` and settles within `budgetMs`: its value, its error, or a timeout. */
export async function withinBudget<T>(budgetMs: number, work: () => Promise<T>): Promise<Budgeted<T>> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Budgeted<T>>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, error: new BudgetExceeded(budgetMs), timedOut: true, durationMs: Date.now() - started }), budgetMs);
  });
  // A work that outlives its budget settles later unobserved: its own request timeouts end it.
  const attempt = Promise.resolve()
    .then(work)
    .then(
      (value): Budgeted<T> => ({ ok: true, value, durationMs: Date.now() - started }),
      (error: unknown): Budgeted<T> => ({ ok: false, error, timedOut: false, durationMs: Date.now() - started }),
    );
  try {
    return await Promise.race([attempt, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
