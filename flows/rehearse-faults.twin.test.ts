// Every conformance assertion seen failing: the catalogue rehearsed on one twin with no fault (all
// steps pass), with each named fault (the run fails, the first failed step is the one the fault
// breaks, for the right reason), and with the variants that must still pass (TLS 1.2 only, a
// propagation delay). Needs root and the built binaries (npm run twin:build); never builds.
// Fault runs stop at their first failure (cleanup still runs) with a short wait budget.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { loadSettings } from '../helpers/config';
import type { StepResult } from '../helpers/report/model';
import { secureGatewaysCatalogue } from '../suites/secure-gateways/catalogue';
import { expectCaughtAt } from './testing-rehearsal';
import { rehearse, startRehearsalTwin, type RehearsalOptions, type RehearsalTwin } from './rehearse';
import type { FaultName } from '../twin/faults/names';
import { FAULTS } from '../suites/secure-gateways/faults';

// What the failure must say: the fault is caught for its own reason, not by accident.
const RIGHT_REASON: Partial<Record<FaultName, RegExp>> = {
  'server-cert-self-signed': /not trusted: self-signed/,
  'server-cert-wrong-host': /not trusted: hostname-mismatch.*peer CN=wrong\.example\.com/,
  'no-h2': /ALPN http\/1\.1, HTTP\/1\.1/,
  'route-missing': /answered HTTP\/2 404/,
  'server-groups-pq-only': /curl: tls-alert, alert handshake_failure.*while the probe saw it pass/,
  'route-leak': /answered HTTP\/2 200/,
  'mutual-not-enforced': /answered HTTP\/2 418/,
  'mutual-any-client-ca': /answered HTTP\/2 418/,
  'mutual-rejects-valid-client': /TLS alert unknown_ca from the server/,
  'istiod-down': /failed calling webhook "validation\.istio\.io"/,
  'config-stuck': /TCP connection refused/,
  'mutual-port-closed': /TCP connection refused/,
  'mutual-hangs': /no outcome within/,
  'secret-not-mounted': /not trusted|refused|closed by the server/,
  'certs-admin-stale': /\/certs lists serials/,
  'gateway-log-errors': /rejected: Error adding\/updating listener/,
  'delete-ignored': /finaliz|still (there|present|exists)|not gone/i,
  'cleanup-leaves-route': /answered HTTP\/2 503/,
  'gateway-not-ready': /1 gateway pod\(s\) with istio=ingressgateway, none Ready/,
  'gateway-service-no-https': /has no port named https or numbered 443 \(its ports: .*tls-alt 9443\/TCP/,
  'cert-dir-leaf-folders-linked': /openssl verify of the server certificate said: [\s\S]*unsuitable certificate purpose/,
  'server-secret-mutated': /type kubernetes\.io\/tls, keys tls\.crt, tls\.key, not matching the generated files/,
  'virtualservice-mutated': /stored a different spec: .*"timeout":"10s"/,
  'ca-secret-extra-key': /^keys ca-chain\.cert\.pem, ca\.crt$/,
  'gateway-mutual-downgraded': /stored a different spec: .*"mode":"SIMPLE"/,
  'service-port-moved': /the Service now gives [\d.]+:9443 \(loadBalancer\)/,
  'exec-certs-dir-wrong-volume': /`ls -al \/etc\/istio\/ingressgateway-certs` exited 0: (?!.*tls\.(crt|key)).*ca-chain\.cert\.pem/,
  'mounted-cert-other-serial': /the pod's tls\.crt has CN=httpbin\.example\.com, serial /,
  'exec-ca-dir-wrong-volume': /`ls -al \/etc\/istio\/ingressgateway-ca-certs` exited 0: (?!.*ca-chain).*tls\.crt/,
  'mounted-ca-chain-reversed': /its first certificate has CN=httpbin\.example\.com Root CA/,
  'httpbin-delete-stuck': /still there: Service default\/httpbin after \d+ s \(terminating since .*, finalizers faults\.istio-gateway-conformance\/never-cleared\)/,
};

const STEP_ORDER = secureGatewaysCatalogue.map((step) => step.id);
const settings = loadSettings();
const FAULT_BUDGET_MS = 10_000;

describe('rehearsals on the twin (root, built binaries)', () => {
  let twin: RehearsalTwin | undefined;
  const reportDir = path.join(settings.CACHE_DIR, 'twin', 'state', 'rehearsal-test-reports');

  const run = (options: Partial<RehearsalOptions>) => rehearse(twin!, { faults: [], reportDir, quiet: true, host: settings.HOST, ...options });
  const failedSteps = (steps: StepResult[] = []) => steps.filter((step) => step.status === 'failed').map((step) => `${step.id}: ${step.observed ?? ''}`);

  beforeAll(async () => {
    // The twin's own lines (and the fault controller's) only when something goes wrong there.
    twin = await startRehearsalTwin(settings, (line) => /faults:|error/i.test(line) && console.error(line), path.join(settings.CACHE_DIR, 'twin', 'state', 'rehearsal-test'));
  }, 180_000);

  afterAll(async () => {
    await twin?.release();
  }, 60_000);

  test('no fault: every step passes (SG-B3 and SG-T6 skipped as not applicable)', async () => {
    const outcome = await run({});
    expect(failedSteps(outcome.results?.steps)).toEqual([]);
    expect(outcome.results!.steps.find((step) => step.id === 'SG-S4')?.observed).toMatch(/body "I'm a teapot!"/);
    const skipped = outcome.results!.steps.filter((step) => step.status === 'skipped').map((step) => step.id);
    expect(skipped).toEqual(['SG-B3', 'SG-T6']);
  }, 240_000);

  test.each(FAULTS.map((fault) => [fault.name, fault.breaks] as const))('fault %s: the first failed step is %s, for its reason', async (name, breaks) => {
    const outcome = await run({ faults: [name], stopAtFirstFailure: true, waitBudgetMs: FAULT_BUDGET_MS });
    const notApplicable = (step: StepResult) => step.status === 'skipped' && !/depends on|stopped after/.test(step.reason ?? '');
    expectCaughtAt(outcome, breaks, RIGHT_REASON[name], STEP_ORDER, notApplicable);
  }, 180_000);

  test('variant TLS 1.2 only: every step passes, MUTUAL refuses with handshake_failure', async () => {
    const outcome = await run({ tlsMax: '1.2' });
    expect(failedSteps(outcome.results?.steps)).toEqual([]);
    expect(outcome.results!.steps.find((step) => step.id === 'SG-M3')?.observed).toMatch(/handshake_failure/);
  }, 240_000);

  test('variant old httpbin sample: every step passes, S4 sees the ASCII teapot', async () => {
    const outcome = await run({ httpbin: 'old' });
    expect(failedSteps(outcome.results?.steps)).toEqual([]);
    expect(outcome.results!.steps.find((step) => step.id === 'SG-S4')?.observed).toMatch(/ASCII teapot/);
  }, 240_000);

  test('variant propagation delay of 3 s: every step passes', async () => {
    const outcome = await run({ propagationDelayMs: 3_000 });
    expect(failedSteps(outcome.results?.steps)).toEqual([]);
  }, 300_000);
});
