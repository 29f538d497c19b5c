// The credentialName catalogue's assertions seen failing: rehearsed on one twin with no fault (all
// steps pass) and with each fault of its table (suites/secure-gateways-sds/faults.ts), acting on
// this catalogue's objects: the first failed step is the one the fault breaks, for its reason.
// Needs root and the built binaries (npm run twin:build); never builds.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { loadSettings } from '../helpers/config';
import type { BundleIndex } from '../helpers/diagnostics';
import type { StepResult } from '../helpers/report/model';
import { sdsSteps } from '../suites/secure-gateways-sds/steps';
import type { FaultName } from '../twin/faults/names';
import { expectCaughtAt } from './testing-rehearsal';
import { rehearse, startRehearsalTwin, type RehearsalOptions, type RehearsalTwin } from './rehearse';
import { REHEARSED_CATALOGUES } from './rehearse-options';

const rehearsed = REHEARSED_CATALOGUES.find((candidate) => candidate.entry.id === 'secure-gateways-sds')!;

// What the failure must say: the fault is caught for its own reason, not by accident.
const RIGHT_REASON: Partial<Record<FaultName, RegExp>> = {
  'gateway-not-ready': /gateway pod\(s\) with istio=ingressgateway, none Ready/,
  'gateway-service-no-https': /has no port named https or numbered 443/,
  'server-secret-mutated': /type kubernetes\.io\/tls, keys tls\.crt, tls\.key, not as written/,
  'istiod-down': /failed calling webhook "validation\.istio\.io"/,
  'virtualservice-mutated': /stored a different spec: .*"timeout":"10s"/,
  'server-cert-self-signed': /not trusted: self-signed/,
  'gateway-mutual-downgraded': /stored a different spec: .*"mode":"SIMPLE"/,
  'mutual-not-enforced': /answered HTTP\/2 418/,
  'mutual-rejects-valid-client': /TLS alert unknown_ca from the server/,
  'secret-updates-withheld': /presenting serial [0-9a-f]+ \(the first server certificate\)/,
  'delete-ignored': /finaliz|still (there|present|exists)|not gone/i,
  // httpbin stays (the target removes it, not this catalogue): the route kept still reaches it.
  'cleanup-leaves-route': /answered HTTP\/2 418/,
};

const STEP_ORDER = sdsSteps.map((step) => step.id);
const settings = loadSettings();
const FAULT_BUDGET_MS = 10_000;

describe('secure-gateways-sds rehearsals on the twin (root, built binaries)', () => {
  let twin: RehearsalTwin | undefined;
  const reportDir = path.join(settings.CACHE_DIR, 'twin', 'state', 'rehearsal-sds-test-reports');
  const run = (options: Partial<RehearsalOptions>) => rehearse(twin!, { catalogue: rehearsed, faults: [], reportDir, quiet: true, host: settings.HOST, ...options });
  const failedSteps = (steps: StepResult[] = []) => steps.filter((step) => step.status === 'failed').map((step) => `${step.id}: ${step.observed ?? ''}`);

  beforeAll(async () => {
    twin = await startRehearsalTwin(settings, (line) => /faults:|error/i.test(line) && console.error(line), path.join(settings.CACHE_DIR, 'twin', 'state', 'rehearsal-sds-test'));
  }, 180_000);

  afterAll(async () => {
    await twin?.release();
  }, 60_000);

  test('no fault: every step passes, and the rotation is timed', async () => {
    const outcome = await run({});
    expect(failedSteps(outcome.results?.steps)).toEqual([]);
    expect(outcome.results!.steps.filter((step) => step.status !== 'passed').map((step) => step.id)).toEqual([]);
    expect(outcome.results!.steps.find((step) => step.id === 'SDS-R1')?.observed).toMatch(/\d+ ms after the update; pod .* kept, 0 restarts/);
  }, 240_000);

  test.each(rehearsed.faults.map((fault) => [fault.name, fault.breaks] as const))('fault %s: the first failed step is %s, for its reason', async (name, breaks) => {
    const outcome = await run({ faults: [name], stopAtFirstFailure: true, waitBudgetMs: FAULT_BUDGET_MS });
    expectCaughtAt(outcome, breaks, RIGHT_REASON[name], STEP_ORDER);
  }, 180_000);

  test("a failed step leaves its bundle in this catalogue's folder, without private-key material", async () => {
    const outcome = await run({ faults: ['server-cert-self-signed'], stopAtFirstFailure: true, waitBudgetMs: FAULT_BUDGET_MS });
    expect(outcome.firstFailed?.id).toBe('SDS-S4');
    expect(outcome.firstFailed?.diagnostics).toBe(path.join('diagnostics', 'SDS-S4', 'index.json'));
    const bundle = path.join(reportDir, 'secure-gateways-sds', 'diagnostics', 'SDS-S4');
    const index = JSON.parse(fs.readFileSync(path.join(bundle, 'index.json'), 'utf8')) as BundleIndex;
    expect(index.catalogue).toBe('secure-gateways-sds');
    expect(index.parts.filter((part) => part.status !== 'collected').map((part) => `${part.part}: ${part.reason ?? part.status}`)).toEqual([]);
    // The credential's metadata, never its data; the served (self-signed) certificate in the config dump.
    const secrets = fs.readFileSync(path.join(bundle, 'secrets.json'), 'utf8');
    expect(secrets).toContain('sds-httpbin-credential');
    expect(secrets).not.toMatch(/tls\.key"\s*:\s*"[A-Za-z0-9+/]{20,}/);
    // The real grep, over every report file of the catalogue: no PEM private key anywhere.
    const grep = spawnSync('grep', ['-rl', 'PRIVATE KEY', path.join(reportDir, 'secure-gateways-sds')], { encoding: 'utf8' });
    expect({ status: grep.status, files: grep.stdout }).toEqual({ status: 1, files: '' });
  }, 180_000);
});
