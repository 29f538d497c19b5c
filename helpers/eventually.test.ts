import { describe, expect, test } from '@jest/globals';
import { eventually, EventuallyTimeout } from './eventually';

/** An observer that returns the values in turn, then repeats the last. */
function sequence<T>(values: T[]): { observe: () => Promise<T>; calls: () => number } {
  let calls = 0;
  return {
    observe: async () => values[Math.min(calls++, values.length - 1)]!,
    calls: () => calls,
  };
}

describe('eventually', () => {
  test('returns once the predicate holds converge times in a row', async () => {
    const seen = sequence([1, 2, 5, 6, 7]);
    const value = await eventually(seen.observe, (n) => n >= 5, { budgetMs: 2_000, converge: 3, initialDelayMs: 1 });
    expect(value).toBe(7);
    expect(seen.calls()).toBe(5);
  });

  test('a failure in the streak starts the count again', async () => {
    const seen = sequence([true, true, false, true, true, true]);
    await eventually(seen.observe, (ok) => ok, { budgetMs: 2_000, converge: 3, initialDelayMs: 1 });
    expect(seen.calls()).toBe(6);
  });

  test('times out with the last observation rendered for a person', async () => {
    const seen = sequence([{ outcome: 'refused' }, { outcome: 'timeout' }]);
    const waiting = eventually(seen.observe, (o) => o.outcome === 'response', {
      budgetMs: 150,
      initialDelayMs: 5,
      expectation: 'SG-S4: HTTP 418 through the gateway',
      render: (o) => `outcome ${o.outcome}`,
    });
    await expect(waiting).rejects.toThrow(EventuallyTimeout);
    await expect(waiting).rejects.toThrow(/SG-S4: HTTP 418 through the gateway: not seen within \d+ ms \(\d+ attempts\); last observed: outcome timeout/);
  });

  test('an observer that throws is a failed check, and its error is reported', async () => {
    let calls = 0;
    const waiting = eventually(
      async () => {
        calls += 1;
        throw new Error(`boom ${calls}`);
      },
      () => true,
      { budgetMs: 100, initialDelayMs: 5 },
    );
    await expect(waiting).rejects.toThrow(/last observed: Error: boom \d+/);
    expect(calls).toBeGreaterThan(1);
  });

  test('backs off exponentially up to the cap', async () => {
    const stamps: number[] = [];
    await expect(
      eventually(
        async () => {
          stamps.push(Date.now());
          return false;
        },
        (v) => v,
        { budgetMs: 700, initialDelayMs: 20, maxDelayMs: 80 },
      ),
    ).rejects.toThrow(EventuallyTimeout);
    const gaps = stamps.slice(1).map((t, i) => t - stamps[i]!);
    // 20, 40, 80, 80, ... with timer slack
    expect(gaps[0]).toBeGreaterThanOrEqual(18);
    expect(gaps[1]).toBeGreaterThanOrEqual(38);
    expect(gaps[2]).toBeGreaterThanOrEqual(78);
    expect(Math.max(...gaps)).toBeLessThan(80 + 60);
  });

  test('stops when aborted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    await expect(
      eventually(async () => false, (v) => v, { budgetMs: 10_000, initialDelayMs: 10, signal: controller.signal }),
    ).rejects.toThrow(/abort/i);
  });
});
