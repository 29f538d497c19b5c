// The runner may start jest before the target is ready (helpers/targets/run-catalogue.ts,
// startCatalogue): jest and the catalogue's modules load while the target starts. The suites then
// prepare their context only once the runner has written the go-ahead file it named.
import { existsSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/** Waits for the go-ahead file when the runner named one (TARGET_READY_FILE); at once otherwise. */
export async function awaitGoAhead(file: string | undefined, budgetMs: number): Promise<void> {
  if (!file) return;
  const started = Date.now();
  while (!existsSync(file)) {
    if (Date.now() - started > budgetMs) throw new Error(`the runner did not say the target was ready within ${Math.round(budgetMs / 1000)} s (${file})`);
    await delay(25);
  }
}
