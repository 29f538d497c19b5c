// Plain `npm test` on a machine without Docker: it says it uses the twin, runs the whole catalogue
// against it, passes, and writes the JSON report and the JUnit XML. Needs root and the built
// binaries (npm run twin:build); never builds. Docker is made unreachable, so this holds anywhere.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ConformanceReport } from '../helpers/report';
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
    const report = JSON.parse(readFileSync(path.join(tmp, 'reports', 'conformance.json'), 'utf8')) as ConformanceReport;
    expect(report.steps.filter((step) => step.status === 'failed').map((step) => `${step.id}: ${step.observed}`)).toEqual([]);
    expect(run.code).toBe(0);
    expect(report.target).toBe('twin');
    expect(report.steps).toHaveLength(30);
    expect(report.steps.filter((step) => step.status === 'skipped').map((step) => step.id)).toEqual(['SG-B3', 'SG-T6']);
    expect(existsSync(path.join(tmp, 'reports', 'conformance.xml'))).toBe(true);
    expect(run.stdout).toMatch(/conformance: 28 passed, 0 failed, 2 skipped/);
  }, 300_000);
});
