import { describe, expect, test } from '@jest/globals';
import type { AuthenticationV1TokenRequest, CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { eventually } from '../../helpers/eventually';
import { PodTokens, renewalTime, tokenProjections } from './tokens';

const pod: V1Pod = {
  metadata: { name: 'istiod-1', namespace: 'istio-system', uid: 'uid-1' },
  spec: {
    serviceAccountName: 'istiod',
    containers: [],
    volumes: [
      { name: 'istio-token', projected: { sources: [{ serviceAccountToken: { audience: 'istio-ca', expirationSeconds: 43200, path: 'istio-token' } }] } },
      { name: 'kube-api-access', projected: { sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }, { configMap: { name: 'kube-root-ca.crt' } }] } },
    ],
  },
};

describe('renewalTime', () => {
  test('at 80% of the lifetime, and at most a day after issue', () => {
    expect(renewalTime(0, 10_000)).toBe(8_000);
    expect(renewalTime(0, 365 * 24 * 3600 * 1000)).toBe(24 * 3600 * 1000);
  });
});

describe('PodTokens', () => {
  test('TokenRequests bound to the pod with the projection audience and expiry; renewed, then the volume rewritten', async () => {
    const requests: { name: string; namespace: string; body: AuthenticationV1TokenRequest }[] = [];
    let serial = 0;
    const core = {
      async createNamespacedServiceAccountToken(request: { name: string; namespace: string; body: AuthenticationV1TokenRequest }) {
        requests.push(request);
        serial += 1;
        // A short-lived token, so that the renewal (at 80%) comes within the test.
        return { status: { token: `token-${serial}`, expirationTimestamp: new Date(Date.now() + 1_500) } };
      },
    } as unknown as CoreV1Api;
    let renewed = 0;
    const tokens = new PodTokens(core, pod, () => (renewed += 1), () => {});
    const projections = tokenProjections(pod);
    expect(projections).toHaveLength(2);
    await tokens.ensure(projections);
    expect(requests.map((r) => [r.name, r.namespace, r.body.spec?.audiences, r.body.spec?.expirationSeconds, r.body.spec?.boundObjectRef])).toEqual([
      ['istiod', 'istio-system', ['istio-ca'], 43200, { apiVersion: 'v1', kind: 'Pod', name: 'istiod-1', uid: 'uid-1' }],
      ['istiod', 'istio-system', [], 3607, { apiVersion: 'v1', kind: 'Pod', name: 'istiod-1', uid: 'uid-1' }],
    ]);
    expect(tokens.get(projections[0]!)).toBe('token-1');
    await tokens.ensure(projections); // held: no new request
    expect(requests).toHaveLength(2);
    await eventually(async () => renewed, (n) => n >= 1, { budgetMs: 5_000, converge: 1, expectation: 'a renewal' });
    expect(tokens.get(projections[0]!)).toMatch(/^token-[3-9]$/);
    tokens.stop();
  });
});
