import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { reportOf, summarize, writeReport, type ConformanceReport } from './index';

const base: ConformanceReport = {
  target: 'twin',
  profile: 'file-mount',
  istioVersion: '1.31-dev',
  kubernetesVersion: 'v1.36.3',
  tools: { kubectl: 'v1.36.3' },
  startedAt: '2026-11-27T21:00:00.000Z',
  durationMs: 1234,
  steps: [
    { id: 'SG-S4', title: 'curl', status: 'passed', durationMs: 10, observed: 'HTTP/2 418' },
    { id: 'SG-M3', title: 'refused', status: 'failed', durationMs: 10, expected: 'a refusal', observed: 'it answered HTTP/2 418' },
    { id: 'SG-M4', title: 'client', status: 'skipped', durationMs: 0, reason: 'depends on SG-M3 (failed)' },
  ],
};

describe('conformance report', () => {
  test('counts steps by status', () => {
    expect(summarize(base.steps)).toEqual({ passed: 1, failed: 1, skipped: 1 });
  });

  test('writes the report as JSON', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'igc-report-')), 'conformance.json');
    writeReport(file, base);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(base);
  });

  test('refuses to write key material', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'igc-report-')), 'conformance.json');
    const leaking = { ...base, steps: [{ ...base.steps[0]!, observed: '-----BEGIN PRIVATE' + ' KEY-----\nabc' }] };
    expect(() => writeReport(file, leaking)).toThrow(/private key material/);
  });
});

describe('reportOf', () => {
  test('takes the profile, its reason, the API version and Kubernetes version from the run, the rest from the target', () => {
    const run = { profile: 'sds', profileReason: 'PROFILE=auto and the gateway mounts no doc secret', networkingVersion: 'networking.istio.io/v1', kubernetesVersion: 'v1.33.1' };
    const report = reportOf({ name: 'existing', istioVersion: '1.28.0', tools: {} }, { run, steps: base.steps }, new Date(Date.now() - 5_000));
    expect(report).toMatchObject({ target: 'existing', ...run, istioVersion: '1.28.0', tools: {}, steps: base.steps });
    expect(report.durationMs).toBeGreaterThanOrEqual(5_000);
  });

  test('a run that could not say leaves the fields null or out, not invented', () => {
    const report = reportOf({ name: 'twin', tools: {} }, { run: {}, steps: [] }, new Date());
    expect(report.profile).toBeNull();
    expect(report.kubernetesVersion).toBeNull();
    expect(report.istioVersion).toBeNull();
    expect('profileReason' in report).toBe(false);
  });
});
