// The --repeat loop: the flag's values, the target's put-back between runs (never before the
// first), a run without results ending the loop, and SIGINT ending it after the current run
// instead of killing it mid-cleanup (emitted on process: jest's sandbox does not pass a real signal
// to the test's listeners). The catalogue runs themselves are the twin
// test's (scripts/conformance-repeat.twin.test.ts); here each run returns recorded step results.
import { describe, expect, test } from '@jest/globals';
import { UsageError } from '../helpers/config';
import type { CatalogueResults } from '../helpers/report/model';
import { checkedRepeat, MAX_REPEAT, runRepeatedly } from './repeat-runs';

describe('checkedRepeat', () => {
  test('a whole number from 1 to 100; not given is undefined', () => {
    expect(checkedRepeat(undefined)).toBeUndefined();
    expect(checkedRepeat('1')).toBe(1);
    expect(checkedRepeat('3')).toBe(3);
    expect(checkedRepeat(String(MAX_REPEAT))).toBe(100);
  });

  test.each(['0', '101', '-1', '2.5', '3x', '', ' ', '1e2', '0x10', 'three'])('%j is refused with one line naming the range', (value) => {
    expect(() => checkedRepeat(value)).toThrow(UsageError);
    expect(() => checkedRepeat(value)).toThrow(`--repeat ${JSON.stringify(value)} is not accepted: give how many times to run the catalogue, a whole number from 1 to 100`);
  });
});

const results = (status: 'passed' | 'failed'): CatalogueResults => ({ catalogue: 'sample', run: {}, steps: [{ id: 'SG-S4', title: 'curl', status, durationMs: 10 }] });

describe('runRepeatedly', () => {
  test('runs N times, putting the target back before every run but the first', async () => {
    const events: string[] = [];
    let run = 0;
    const outcome = await runRepeatedly({
      times: 3,
      runOnce: async () => {
        events.push('run');
        return results(++run === 2 ? 'failed' : 'passed');
      },
      prepareNextRun: async () => void events.push('put back'),
      log: (line) => events.push(line),
    });
    expect(events).toEqual(['conformance: run 1 of 3', 'run', 'put back', 'conformance: run 2 of 3', 'run', 'put back', 'conformance: run 3 of 3', 'run']);
    expect(outcome.runs.map((run) => [run.run, run.steps[0]!.status])).toEqual([
      [1, 'passed'],
      [2, 'failed'],
      [3, 'passed'],
    ]);
    expect(outcome.last?.steps[0]!.status).toBe('passed');
    expect(outcome.stoppedBecause).toBeUndefined();
  });

  test('one run: no put-back, no run counter', async () => {
    const lines: string[] = [];
    let putBack = 0;
    const outcome = await runRepeatedly({ times: 1, runOnce: async () => results('passed'), prepareNextRun: async () => void (putBack += 1), log: (line) => lines.push(line) });
    expect({ runs: outcome.runs.length, putBack, lines }).toEqual({ runs: 1, putBack: 0, lines: [] });
  });

  test('a run without results ends the loop and says which', async () => {
    let calls = 0;
    const outcome = await runRepeatedly({ times: 5, runOnce: async () => (++calls === 2 ? undefined : results('passed')), log: () => undefined });
    expect(calls).toBe(2);
    expect(outcome.runs).toHaveLength(1);
    expect(outcome.stoppedBecause).toBe('run 2 of 5 ended without results');
  });

  test('a target that cannot be put back ends the loop with the cause; the runs made so far are kept', async () => {
    const lines: string[] = [];
    const outcome = await runRepeatedly({
      times: 3,
      runOnce: async () => results('passed'),
      prepareNextRun: async () => {
        throw new Error('httpbin: deployment default/httpbin not ready within 120000 ms');
      },
      log: (line) => lines.push(line),
    });
    expect(outcome.runs).toHaveLength(1);
    expect(outcome.stoppedBecause).toBe('putting the target back for run 2 of 3 failed: httpbin: deployment default/httpbin not ready within 120000 ms');
    expect(lines.at(-1)).toBe('conformance: could not put the target back for run 2: httpbin: deployment default/httpbin not ready within 120000 ms');
  });

    test('SIGINT during a run lets that run finish, then stops; the handlers are removed afterwards', async () => {
    const lines: string[] = [];
    const before = process.listenerCount('SIGINT');
    const outcome = await runRepeatedly({
      times: 4,
      runOnce: async () => {
        if (lines.filter((line) => line.startsWith('conformance: run')).length === 2) {
          process.emit('SIGINT', 'SIGINT');
        }
        return results('passed');
      },
      log: (line) => lines.push(line),
    });
    expect(outcome.runs.map((run) => run.run)).toEqual([1, 2]);
    expect(outcome.stoppedBecause).toBe('SIGINT after run 2 of 4');
    expect(lines).toContain('conformance: SIGINT: stopping after the current run (its cleanup steps still run)');
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});
