// The Secure Gateways failure hook, on a context whose cluster refuses connections (a closed
// local port): the bundle lands at <report>/secure-gateways/diagnostics/<step>/, the hook returns
// its index.json relative to the report folder, and the index names the doc's objects and secrets
// of the profile in force, with the probe's observation from the step's failure.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadSettings } from '../../helpers/config';
import type { BundleIndex } from '../../helpers/diagnostics';
import { BackupLedger } from '../../helpers/kube';
import { DOC_NAMES } from './manifests';
import { makeDocChain } from '../../helpers/pki';
import { tempDirs } from '../../helpers/testing/temp-dirs';
import { closedPort, kubeClientAt } from '../../helpers/testing/unreachable-cluster';
import type { StepResult } from '../../helpers/report/model';
import { StepFailure } from '../runtime/step';
import { secureGatewaysCatalogue } from './catalogue';
import type { SecureGatewaysContext } from './context';
import { runKeys, secureGatewaysDiagnostics } from './diagnostics';

const makeTemp = tempDirs();
let context: SecureGatewaysContext;

beforeAll(async () => {
  const [chain, foreignChain] = await Promise.all([makeDocChain(), makeDocChain({ namePrefix: 'Foreign' })]);
  context = {
    settings: loadSettings({}),
    kube: kubeClientAt(`https://127.0.0.1:${await closedPort()}`),
    names: { ...DOC_NAMES, host: 'httpbin.example.com' },
    gatewayService: 'istio-ingressgateway',
    profile: 'sds',
    profileReason: 'PROFILE=sds',
    networkingVersion: 'networking.istio.io/v1',
    budgets: { waitMs: 1_000, requestMs: 1_000, converge: 1 },
    certDir: makeTemp('igc-sg-diag-certs-'),
    chain,
    foreignChain,
    gatewayPod: 'istio-ingressgateway-5c9d8-abcde',
    ledger: new BackupLedger(),
    served: false,
  };
}, 60_000);

describe('secureGatewaysDiagnostics', () => {
  test('the run keys are all eight of both chains, by role', () => {
    expect(runKeys(context).map((key) => key.label)).toEqual([
      'root key', 'intermediate key', 'server key', 'client key', 'foreign root key', 'foreign intermediate key', 'foreign server key', 'foreign client key',
    ]);
  });

  test('writes SG-S4\'s bundle under the catalogue\'s folder and returns its index, relative to the report folder', async () => {
    const reportDir = makeTemp('igc-sg-diag-report-');
    const step = secureGatewaysCatalogue.find((s) => s.id === 'SG-S4')!;
    const result: StepResult = { id: 'SG-S4', title: step.title, status: 'failed', durationMs: 10_000, expected: 'HTTP/2 418', observed: 'the client saw: untrusted' };
    const error = new StepFailure('SG-S4', 'HTTP/2 418', 'the client saw: untrusted', { outcome: 'untrusted', reason: 'hostname-mismatch' });
    const hook = secureGatewaysDiagnostics(reportDir, { partMs: 1_000, bundleMs: 3_000 });
    const relative = await hook({ step, context, result, error });
    expect(relative).toBe(path.join('diagnostics', 'SG-S4', 'index.json'));

    const index = JSON.parse(readFileSync(path.join(reportDir, relative!), 'utf8')) as BundleIndex;
    expect(index.catalogue).toBe('secure-gateways');
    const holds = Object.fromEntries(index.parts.map((part) => [part.part, part.holds]));
    // The sds profile's secrets in the gateway's namespace; istio-system and the app's namespace's events.
    expect(holds.secrets).toMatch(/istio-system\/httpbin-credential, istio-system\/httpbin-credential-cacert/);
    expect(holds.events).toMatch(/^the events of istio-system, default/);
    expect(index.parts.find((part) => part.part === 'objects')).toMatchObject({ status: 'not-collected', reason: expect.stringMatching(/Gateway|cannot reach/) });
    const observation = JSON.parse(readFileSync(path.join(reportDir, 'diagnostics', 'SG-S4', 'observation.json'), 'utf8')) as { observation: unknown };
    expect(observation.observation).toEqual({ outcome: 'untrusted', reason: 'hostname-mismatch' });
  }, 30_000);

  test('steps declare what they depend on where it is not the doc\'s Gateway, VirtualService and Service', () => {
    const objects = (id: string) => secureGatewaysCatalogue.find((s) => s.id === id)!.objects?.(context).map((o) => `${o.kind} ${o.namespace}/${o.name}`);
    expect(objects('SG-B1')).toEqual(['Service istio-system/istio-ingressgateway', 'Deployment default/httpbin', 'Service default/httpbin']);
    expect(objects('SG-X2')).toEqual(['Deployment default/httpbin', 'Service default/httpbin']);
    expect(objects('SG-S4')).toBeUndefined();
  });
});
