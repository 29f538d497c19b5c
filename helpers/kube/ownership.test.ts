import { describe, expect, test } from '@jest/globals';
import { assertOwned, checkRunId, isOwned, MANAGED_BY_LABEL, newRunId, ownedSelector, OwnershipError, RUN_LABEL, runOf, withOwnership } from './ownership';

const gateway = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'Gateway',
  metadata: { name: 'httpbin-gateway', namespace: 'istio-system', labels: { team: 'mesh' } },
  spec: { selector: { istio: 'ingressgateway' } },
};

describe('ownership labels', () => {
  test('a run id sorts by time and is a valid label value', () => {
    const id = newRunId(new Date('2025-01-31T14:25:01.123Z'));
    expect(id).toMatch(/^20250131-142501-[0-9a-f]{6}$/);
    expect(checkRunId(id)).toBe(id);
    expect(newRunId()).not.toBe(newRunId());
    expect(() => checkRunId('has space')).toThrow('is not a valid label value');
    expect(() => checkRunId('x'.repeat(64))).toThrow('is not a valid label value');
  });

  test('withOwnership adds both labels to a copy and keeps the object’s own labels', () => {
    const owned = withOwnership(gateway, 'run-1');
    expect(owned.metadata.labels).toEqual({ team: 'mesh', [MANAGED_BY_LABEL]: 'istio-gateway-conformance', [RUN_LABEL]: 'run-1' });
    expect(gateway.metadata.labels).toEqual({ team: 'mesh' });
    expect(isOwned(owned)).toBe(true);
    expect(runOf(owned)).toBe('run-1');
    expect(isOwned(gateway)).toBe(false);
    expect(runOf(gateway)).toBeUndefined();
    expect(withOwnership({ apiVersion: 'v1', kind: 'Namespace' }, 'r').metadata?.labels?.[RUN_LABEL]).toBe('r');
  });

  test('a label that only looks like ours does not count', () => {
    expect(isOwned({ metadata: { labels: { [MANAGED_BY_LABEL]: 'Helm' } } })).toBe(false);
    expect(isOwned({ metadata: { labels: { [RUN_LABEL]: 'run-1' } } })).toBe(false);
  });

  test('assertOwned refuses someone else’s object with one line saying how to proceed', () => {
    const target = { kind: 'Gateway', namespace: 'istio-system', name: 'httpbin-gateway' };
    expect(() => assertOwned('delete', target, gateway)).toThrow(OwnershipError);
    expect(() => assertOwned('delete', target, gateway)).toThrow(
      'refusing to delete Gateway istio-system/httpbin-gateway: it lacks the label app.kubernetes.io/managed-by=istio-gateway-conformance, so the suite did not create it; pass adoptUnowned to delete it anyway, or back it up first with backupAndReplace',
    );
    expect(() => assertOwned('delete', target, gateway, true)).not.toThrow();
    expect(() => assertOwned('delete', target, withOwnership(gateway, 'r'))).not.toThrow();
  });

  test('selectors find the objects of all runs or of one', () => {
    expect(ownedSelector()).toBe('app.kubernetes.io/managed-by=istio-gateway-conformance');
    expect(ownedSelector('run-1')).toBe('app.kubernetes.io/managed-by=istio-gateway-conformance,istio-gateway-conformance/run=run-1');
  });
});
