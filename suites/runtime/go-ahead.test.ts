import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { awaitGoAhead } from './go-ahead';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'igc-go-ahead-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('awaitGoAhead', () => {
  test('returns at once without a file named; waits until the runner writes the file', async () => {
    await awaitGoAhead(undefined, 0);
    const file = path.join(work, '.target-ready');
    let settled = false;
    const waiting = awaitGoAhead(file, 5_000).then(() => (settled = true));
    // It has looked for the file (the first look runs before its first pause) and is still waiting.
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    fs.writeFileSync(file, 'now\n');
    await waiting;
    expect(settled).toBe(true);
  });

  test('says so when the go-ahead never comes within the budget', async () => {
    await expect(awaitGoAhead(path.join(work, 'never'), 100)).rejects.toThrow(/the runner did not say the target was ready within 0 s/);
  });
});
