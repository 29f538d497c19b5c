// The credentialName catalogue against its STEPS.md and its faults: the steps are STEPS.md's, in
// its order; every step has a fault that breaks it first (flows/rehearse-sds-faults.twin.test.ts
// proves each on the twin), listed in step order; the manifests are today's doc's shapes.
import { describe, expect, test } from '@jest/globals';
import { isFaultName } from '../../twin/faults/names';
import { CATALOGUES } from '../registry';
import { secureGatewaysSds, secureGatewaysSdsStepIds } from './entry';
import { SDS_FAULTS, sdsFaultObjects } from './faults';
import { credentialGateway, credentialSecret, SDS_NAMES } from './manifests';
import { sdsSteps } from './steps';

const ids = sdsSteps.map((step) => step.id);
const names = { ...SDS_NAMES, host: 'httpbin.example.com' };

describe('the secure-gateways-sds catalogue', () => {
  test("its steps are STEPS.md's, in its order, and it is registered", () => {
    expect(ids).toEqual(secureGatewaysSdsStepIds());
    expect(ids.every((id) => id.startsWith(secureGatewaysSds.stepIdPrefix))).toBe(true);
    expect(CATALOGUES).toContain(secureGatewaysSds);
  });

  test('every step has a fault that breaks it first, the table in step order, names the twin knows', () => {
    expect(ids.filter((id) => !SDS_FAULTS.some((fault) => fault.breaks === id))).toEqual([]);
    const positions = SDS_FAULTS.map((fault) => ids.indexOf(fault.breaks));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(SDS_FAULTS.every((fault) => isFaultName(fault.name))).toBe(true);
  });

  test("the faults act on this catalogue's objects: the credential holds the server pair and MUTUAL's CA", () => {
    expect(sdsFaultObjects()).toMatchObject({ serverSecret: 'sds-httpbin-credential', caSecret: 'sds-httpbin-credential', caKey: 'ca.crt', gatewayName: 'sds-gateway', virtualServiceName: 'sds-httpbin' });
  });

  test('the Gateway names the credential; the secret is kubernetes.io/tls, with ca.crt added for MUTUAL', () => {
    const gateway = credentialGateway(names, 'MUTUAL', 'networking.istio.io/v1') as unknown as { spec: { servers: Array<{ tls: unknown; hosts: string[] }> } };
    expect(gateway.spec.servers[0]).toMatchObject({ tls: { mode: 'MUTUAL', credentialName: 'sds-httpbin-credential' }, hosts: ['httpbin.example.com'] });
    const pair = { certPem: 'CERT', keyPem: 'KEY' };
    expect(credentialSecret(names, pair)).toMatchObject({ type: 'kubernetes.io/tls', metadata: { namespace: 'istio-system', name: 'sds-httpbin-credential' } });
    const withCa = credentialSecret(names, pair, 'CA') as unknown as { type: string; data: Record<string, string> };
    expect(withCa.type).toBe('kubernetes.io/tls');
    expect(Object.keys(withCa.data).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    expect(Buffer.from(withCa.data['ca.crt']!, 'base64').toString()).toBe('CA');
  });
});
