// Plain `npm test` on a machine without Docker: it says it uses the twin, runs the whole catalogue
// against it, passes, and writes the JSON report, the HTML page and the JUnit XML; and
// `npm test -- --repeat 2` runs it twice on one twin (httpbin put back after SG-X2 removed it) and
// reports each step's pass rate and p50/p95. Needs root and the built binaries (npm run
// twin:build); never builds. Docker is made unreachable, so this holds anywhere.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ConformanceReport, RepeatReport } from '../helpers/report';
import { runEntryPoint } from '../helpers/testing/run-entry-point';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'npm-test-twin-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('npm test without Docker (root, built binaries)', () => {
  test('picks the twin, says why in its first line, runs the catalogue and passes', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, REPORT_DIR: path.join(tmp, 'reports'), DOCKER_HOST: `unix://${tmp}/no-docker.sock`, KUBECONFIG: '' };
    delete env.TARGET;
    const run = await runEntryPoint('scripts/conformance.ts', [], { env });
    expect(run.stdout.split('\n')[0]).toMatch(/^target: twin \(TARGET is auto and no Docker daemon answers/);
    const report = JSON.parse(readFileSync(path.join(tmp, 'reports', 'secure-gateways', 'conformance.json'), 'utf8')) as ConformanceReport;
    expect(report.steps.filter((step) => step.status === 'failed').map((step) => `${step.id}: ${step.observed}`)).toEqual([]);
    expect(run.code).toBe(0);
    expect(report.target).toBe('twin');
    expect(report.steps).toHaveLength(30);
    expect(report.steps.filter((step) => step.status === 'skipped').map((step) => step.id)).toEqual(['SG-B3', 'SG-T6']);
    expect(existsSync(path.join(tmp, 'reports', 'secure-gateways', 'conformance.xml'))).toBe(true);
    expect(readFileSync(path.join(tmp, 'reports', 'secure-gateways', 'report.html'), 'utf8')).toContain('<strong>Passed</strong>: 28 passed, 0 failed, 2 skipped.');
    // The summary across catalogues links the catalogue's page.
    expect(readFileSync(path.join(tmp, 'reports', 'report.html'), 'utf8')).toContain('<a href="secure-gateways/report.html">Secure Gateways (HTTPS)</a>');
    expect(run.stdout).toMatch(/conformance: 28 passed, 0 failed, 2 skipped/);
    // The propagation waits are in the report: SG-S4 waits for the SIMPLE Gateway to be served.
    expect(report.steps.find((step) => step.id === 'SG-S4')!.waitMs).toBeGreaterThan(0);
  }, 300_000);

  test('--repeat 2: two runs on one twin, both pass, each step with its pass rate and p50/p95, no flaky step', async () => {
    const reports = path.join(tmp, 'repeat-reports');
    const env: NodeJS.ProcessEnv = { ...process.env, REPORT_DIR: reports, DOCKER_HOST: `unix://${tmp}/no-docker.sock`, KUBECONFIG: '' };
    delete env.TARGET;
    const run = await runEntryPoint('scripts/conformance.ts', ['--repeat', '2'], { env });
    const repeat = JSON.parse(readFileSync(path.join(reports, 'secure-gateways', 'repeat.json'), 'utf8')) as RepeatReport;
    const failures = repeat.runs.flatMap((one) => one.steps.filter((step) => step.status === 'failed').map((step) => `run ${one.run} ${step.id}: ${step.observed}`));
    expect(failures).toEqual([]);
    expect(run.code).toBe(0);
    expect(repeat.runs.map((one) => one.run)).toEqual([1, 2]);
    // httpbin was put back between the runs: the second run's SIMPLE check and SG-X2 found it again.
    for (const one of repeat.runs) expect(one.steps.find((step) => step.id === 'SG-X2')!.observed).toBe('httpbin Deployment and Service deleted');
    expect(repeat.summary).toMatchObject({ runs: 2, failedRuns: 0 });
    const ran = repeat.summary.steps.filter((step) => step.stability !== 'not run');
    expect(ran).toHaveLength(28);
    for (const step of ran) {
      expect(step).toMatchObject({ passed: 2, failed: 0, passRate: 1, stability: 'stable' });
      expect(step.p95Ms!).toBeGreaterThanOrEqual(step.p50Ms!);
    }
    expect(repeat.summary.steps.filter((step) => step.stability === 'not run').map((step) => step.id)).toEqual(['SG-B3', 'SG-T6']);
    expect(run.stdout).toMatch(/^SG-S4\s+100%\s+2\s+0\s+0\s+\d+\.\d\d s\s+\d+\.\d\d s$/m);
    expect(run.stdout).toMatch(/^flaky: none$/m);
    expect(run.stdout).toMatch(/conformance: 0 of 2 runs had a failed step/);
    expect(readFileSync(path.join(reports, 'secure-gateways', 'report.html'), 'utf8')).toContain('<h2>Repeated runs</h2>');
  }, 600_000);
});
