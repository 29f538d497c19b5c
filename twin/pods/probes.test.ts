import { describe, expect, test } from '@jest/globals';
import type { V1Container } from '@kubernetes/client-node';
import { ProbeVerdict, probeAction, probeTiming } from './probes';

describe('ProbeVerdict', () => {
  test('readiness: not ready until successThreshold passes in a row; not ready after failureThreshold failures', () => {
    const verdict = new ProbeVerdict({ successThreshold: 2, failureThreshold: 3 }, false);
    expect([true, false, true, true].map((r) => verdict.record(r))).toEqual([false, false, false, true]);
    expect([false, false, true, false, false, false].map((r) => verdict.record(r))).toEqual([true, true, true, true, true, false]);
    expect(verdict.record(true)).toBe(false);
    expect(verdict.record(true)).toBe(true);
  });

  test('liveness starts alive and dies after failureThreshold failures', () => {
    const verdict = new ProbeVerdict({ successThreshold: 1, failureThreshold: 1 }, true);
    expect(verdict.record(false)).toBe(false);
  });
});

describe('probeTiming and probeAction', () => {
  const container: V1Container = { name: 'istio-proxy', ports: [{ name: 'http-envoy-prom', containerPort: 15090 }, { name: 'status-port', containerPort: 15021 }] };

  test("the API's defaults", () => {
    expect(probeTiming({})).toEqual({ initialDelayMs: 0, periodMs: 10_000, timeoutMs: 1_000, successThreshold: 1, failureThreshold: 3 });
    expect(probeTiming({ initialDelaySeconds: 1, periodSeconds: 2, timeoutSeconds: 3, failureThreshold: 30 })).toMatchObject({ initialDelayMs: 1000, periodMs: 2000, timeoutMs: 3000, failureThreshold: 30 });
  });

  test('httpGet on the pod IP, named ports resolved, headers kept', () => {
    expect(probeAction({ httpGet: { path: '/healthz/ready', port: 15021, scheme: 'HTTP' } }, container, '10.244.0.5')).toEqual({ kind: 'http', url: 'http://10.244.0.5:15021/healthz/ready', headers: [] });
    expect(probeAction({ httpGet: { port: 'status-port' as unknown as number, httpHeaders: [{ name: 'X', value: 'y' }] } }, container, '10.244.0.5')).toEqual({ kind: 'http', url: 'http://10.244.0.5:15021/', headers: [['X', 'y']] });
    expect(() => probeAction({ httpGet: { port: 'nope' as unknown as number } }, container, '10.244.0.5')).toThrow(/not a port/);
  });

  test('tcpSocket, grpc (as a connection) and exec', () => {
    expect(probeAction({ tcpSocket: { port: 15012 } }, container, '10.244.0.5')).toEqual({ kind: 'tcp', host: '10.244.0.5', port: 15012 });
    expect(probeAction({ grpc: { port: 9000 } }, container, '10.244.0.5')).toEqual({ kind: 'tcp', host: '10.244.0.5', port: 9000 });
    expect(probeAction({ exec: { command: ['cat', '/tmp/ready'] } }, container, '10.244.0.5')).toEqual({ kind: 'exec', command: ['cat', '/tmp/ready'] });
  });
});
