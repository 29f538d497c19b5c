// The --repeat summary: nearest-rank percentiles on measured durations, pass rates over the runs in
// which a step ran, and a flaky step named (pass rate strictly between 0 and 100%).
import { describe, expect, test } from '@jest/globals';
import type { StepResult } from './model';
import { flakySteps, percentile, repeatTable, stabilityOf, summarizeRepeat, type RepeatRun } from './repeat';

describe('percentile (nearest rank)', () => {
  // Durations of SG-S4 in ms over 20 twin runs, as measured (unsorted, one outlier).
  const durations = [2612, 2587, 2640, 2598, 2633, 2575, 2602, 2619, 9870, 2591, 2608, 2626, 2581, 2644, 2595, 2613, 2604, 2622, 2589, 2637];

  test('p50 and p95 are durations that were measured; p95 of 20 values is the 19th smallest', () => {
    const sorted = [...durations].sort((a, b) => a - b);
    expect(percentile(durations, 0.5)).toBe(sorted[9]); // ceil(0.5 * 20) = 10th smallest
    expect(percentile(durations, 0.5)).toBe(2608);
    expect(percentile(durations, 0.95)).toBe(2644);
    expect(percentile(durations, 1)).toBe(9870);
    expect(durations).toContain(percentile(durations, 0.95));
  });

  test('small samples: one value is every percentile; of three, p95 is the largest', () => {
    expect(percentile([412], 0.5)).toBe(412);
    expect(percentile([412], 0.95)).toBe(412);
    expect(percentile([300, 100, 200], 0.5)).toBe(200);
    expect(percentile([300, 100, 200], 0.95)).toBe(300);
    expect(percentile([100, 200, 300, 400], 0.5)).toBe(200);
  });

  test('no values: no percentile; a q outside (0, 1] is a programming error', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 95)).toThrow(RangeError);
  });
});

describe('stability', () => {
  test('flaky only strictly between always and never', () => {
    expect(stabilityOf(3, 0)).toBe('stable');
    expect(stabilityOf(2, 1)).toBe('flaky');
    expect(stabilityOf(1, 2)).toBe('flaky');
    expect(stabilityOf(0, 3)).toBe('failing');
    expect(stabilityOf(0, 0)).toBe('not run');
  });
});

const step = (id: string, status: StepResult['status'], durationMs: number, extra: Partial<StepResult> = {}): StepResult => ({ id, title: `${id} title`, status, durationMs, ...extra });

function runs(): RepeatRun[] {
  return [
    { run: 1, startedAt: '2026-12-07T10:00:00.000Z', durationMs: 30_100, steps: [step('SG-S4', 'passed', 2_600), step('SG-M3', 'passed', 2_900), step('SG-M4', 'passed', 300), step('SG-B3', 'skipped', 0, { reason: 'macOS only' })] },
    {
      run: 2,
      startedAt: '2026-12-07T10:00:31.000Z',
      durationMs: 41_000,
      steps: [step('SG-S4', 'passed', 2_700), step('SG-M3', 'failed', 10_100, { expected: 'a TLS refusal', observed: 'it answered HTTP/2 418' }), step('SG-M4', 'skipped', 0, { reason: 'depends on SG-M3 (failed)' }), step('SG-B3', 'skipped', 0, { reason: 'macOS only' })],
    },
    { run: 3, startedAt: '2026-12-07T10:01:13.000Z', durationMs: 30_400, steps: [step('SG-S4', 'failed', 10_000, { observed: 'connection refused' }), step('SG-M3', 'passed', 3_100), step('SG-M4', 'passed', 310), step('SG-B3', 'skipped', 0, { reason: 'macOS only' })] },
  ];
}

describe('summarizeRepeat', () => {
  const summary = summarizeRepeat(runs());

  test('counts runs with a failure', () => {
    expect(summary).toMatchObject({ runs: 3, failedRuns: 2 });
  });

  test('per step: pass rate over the runs it ran in, percentiles of those durations, the failures by run', () => {
    const [s4, m3, m4, b3] = summary.steps;
    expect(s4).toMatchObject({ id: 'SG-S4', passed: 2, failed: 1, skipped: 0, p50Ms: 2_700, p95Ms: 10_000, stability: 'flaky', failures: [{ run: 3, observed: 'connection refused' }] });
    expect(s4!.passRate).toBeCloseTo(2 / 3);
    expect(m3).toMatchObject({ passed: 2, failed: 1, p50Ms: 3_100, p95Ms: 10_100, stability: 'flaky', failures: [{ run: 2, expected: 'a TLS refusal', observed: 'it answered HTTP/2 418' }] });
    // Skipped in run 2 because of SG-M3: it passed every time it ran, so it is stable, not flaky.
    expect(m4).toMatchObject({ passed: 2, failed: 0, skipped: 1, passRate: 1, p50Ms: 300, p95Ms: 310, stability: 'stable', failures: [] });
    expect(b3).toMatchObject({ passed: 0, failed: 0, skipped: 3, passRate: null, p50Ms: null, p95Ms: null, stability: 'not run' });
  });

  test('flaky steps are named; a step that failed every time is failing, not flaky', () => {
    expect(flakySteps(summary).map((s) => s.id)).toEqual(['SG-S4', 'SG-M3']);
    const always = summarizeRepeat(runs().map((run) => ({ ...run, steps: run.steps.map((s) => (s.id === 'SG-S4' ? { ...s, status: 'failed' as const } : s)) })));
    expect(always.steps[0]!.stability).toBe('failing');
    expect(flakySteps(always).map((s) => s.id)).toEqual(['SG-M3']);
  });

  test('the printed table has a row per step and a line naming the flaky ones with the runs they failed in', () => {
    const lines = repeatTable(summary).split('\n');
    expect(lines[0]).toMatch(/^step\s+pass rate\s+passed\s+failed\s+skipped\s+p50\s+p95$/);
    expect(lines[1]).toMatch(/^SG-S4\s+67%\s+2\s+1\s+0\s+2\.70 s\s+10\.00 s\s+FLAKY$/);
    expect(lines[3]).toMatch(/^SG-M4\s+100%\s+2\s+0\s+1\s+0\.30 s\s+0\.31 s$/);
    expect(lines[4]).toMatch(/^SG-B3\s+-\s+0\s+0\s+3\s+-\s+-\s+NOT RUN$/);
    expect(lines.at(-1)).toBe('flaky (passed in some runs, failed in others): SG-S4 67% (failed in run 3); SG-M3 67% (failed in run 2)');
    const steady = summarizeRepeat([runs()[0]!]);
    expect(repeatTable(steady).split('\n').at(-1)).toBe('flaky: none');
  });
});
