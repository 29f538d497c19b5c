import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StepResult } from '../../helpers/report/model';
import type { CatalogueResults } from '../../helpers/report/model';

const root = path.resolve(__dirname, '../..');

/** Runs the sample catalogue in a real jest run with the conformance environment. */
function runSample(env: Record<string, string>, dir = mkdtempSync(path.join(os.tmpdir(), 'igc-runtime-'))): { results: StepResult[]; output: string; status: number | null } {
  const resultsFile = path.join(dir, 'steps.json');
  const config = {
    rootDir: root,
    testEnvironment: '<rootDir>/suites/runtime/environment.ts',
    transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(root, 'tsconfig.json') }] },
    testMatch: ['<rootDir>/suites/runtime/fixtures/sample.catalogue.ts'],
  };
  const configFile = path.join(dir, 'jest.config.json');
  writeFileSync(configFile, JSON.stringify(config));
  const run = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--config', configFile, '--verbose', '--ci'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env, SAMPLE_RESULTS_FILE: resultsFile },
  });
  return { results: (JSON.parse(readFileSync(resultsFile, 'utf8')) as CatalogueResults).steps, output: run.stderr + run.stdout, status: run.status };
}

describe('conformance step runtime', () => {
  test('a failed step skips its dependents with the reason; others and cleanup still run', () => {
    const { results, output, status } = runSample({});
    expect(status).toBe(1);
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['T-1', 'passed'],
      ['T-2', 'failed'],
      ['T-3', 'skipped'],
      ['T-4', 'passed'],
      ['T-5', 'skipped'],
      ['T-X', 'passed'],
    ]);
    expect(results[1]).toMatchObject({ expected: 'HTTP 418', observed: 'the connection was refused' });
    expect(results[2]!.reason).toBe('depends on T-2 (failed)');
    expect(results[4]!.reason).toBe('macOS only');
    // jest itself shows them as skipped, with the reason, not as failures.
    expect(output).toMatch(/○ skipped T-3 depends on the failure \(skipped: depends on T-2 \(failed\)\)/);
    expect(output).toMatch(/T-2: expected HTTP 418, but the connection was refused/);
    expect(output).toMatch(/Tests:\s+1 failed, 2 skipped, 3 passed, 6 total/);
  });

  test('stop at first failure skips all later steps except cleanup', () => {
    const { results } = runSample({ SAMPLE_STOP_AT_FIRST: '1' });
    expect(results.map((r) => r.status)).toEqual(['passed', 'failed', 'skipped', 'skipped', 'skipped', 'passed']);
    expect(results[3]!.reason).toBe('stopped after the first failure (T-2)');
  });

  test('a target that cannot be prepared skips every step with the cause', () => {
    const { results, status } = runSample({ SAMPLE_PREPARE_FAILS: '1' });
    expect(status).toBe(0);
    expect(new Set(results.map((r) => r.status))).toEqual(new Set(['skipped']));
    expect(results[0]!.reason).toBe('the target could not be prepared: no cluster answered at https://10.250.0.2:6443');
  });

  test('a failure hook runs once, for the failed step, before cleanup; its time is not the step\'s', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'igc-runtime-'));
    const failures = path.join(dir, 'failures.txt');
    const { results, status } = runSample({ SAMPLE_FAILURES_FILE: failures }, dir);
    expect(status).toBe(1);
    expect(readFileSync(failures, 'utf8')).toBe('T-2 failed cleaned=false\n');
    expect(results[1]).toMatchObject({ id: 'T-2', status: 'failed', diagnostics: 'sample/diagnostics/T-2/index.json' });
    expect(results[1]!.durationMs).toBeLessThan(400);
    expect(results.filter((r) => r.diagnostics).map((r) => r.id)).toEqual(['T-2']);
  });

  test('a failure hook that throws leaves the run as it was, with one line', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'igc-runtime-'));
    const { results, output } = runSample({ SAMPLE_FAILURES_FILE: path.join(dir, 'failures.txt'), SAMPLE_FAILURE_HOOK_THROWS: '1' }, dir);
    expect(results.map((r) => r.status)).toEqual(['passed', 'failed', 'skipped', 'passed', 'skipped', 'passed']);
    expect(results[1]!.diagnostics).toBeUndefined();
    expect(output).toMatch(/T-2: no diagnostics bundle: the cluster went away/);
  });

  test('--only runs the selected steps and reports the rest skipped', () => {
    const { results } = runSample({ SAMPLE_ONLY: 'T-1,T-4' });
    expect(results.filter((r) => r.status === 'passed').map((r) => r.id)).toEqual(['T-1', 'T-4', 'T-X']);
    expect(results[1]!.reason).toBe('not selected (--only)');
  });
});
