// The runner may start jest before the target is ready (flows/run-catalogue.ts,
// startCatalogue): jest and the catalogue's modules load while the target starts. The suites then
// prepare their context only once the runner has written the go-ahead file it named.
import { existsSync } from 'node:fs';
import { eventually, EventuallyTimeout } from '../../helpers/eventually';

/** Waits for the go-ahead file when the runner named one (TARGET_READY_FILE); at once otherwise. */
export async function awaitGoAhead(file: string | undefined, budgetMs: number): Promise<void> {
  if (!file) return;
  try {
    await eventually(async () => existsSync(file), (there) => there, { budgetMs, converge: 1, initialDelayMs: 25, maxDelayMs: 25 });
  } catch (error) {
    if (!(error instanceof EventuallyTimeout)) throw error;
    throw new Error(`the runner did not say the target was ready within ${Math.round(budgetMs / 1000)} s (${file})`);
  }
}
