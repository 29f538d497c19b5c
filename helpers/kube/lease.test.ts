import { describe, expect, test } from '@jest/globals';
import { leaseState, microTime, type Lease } from './lease';

describe('lease expiry', () => {
  const now = new Date('2025-01-31T12:00:00Z');
  const lease = (holder: string | undefined, renewTime: string, durationSeconds = 60): Lease => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'lock' },
    spec: { holderIdentity: holder, renewTime, leaseDurationSeconds: durationSeconds },
  });
  test('free when unheld, held by us, or expired by its renewTime', () => {
    expect(leaseState(lease(undefined, '2025-01-31T11:59:59.000000Z'), 'me', now).free).toBe(true);
    expect(leaseState(lease('me', '2025-01-31T11:59:59.000000Z'), 'me', now).free).toBe(true);
    expect(leaseState(lease('other', '2025-01-31T11:58:00.000000Z'), 'me', now)).toEqual({ free: true, holder: 'other', renewedAgoMs: 120_000, expiresInMs: -60_000 });
  });
  test('held while renewed within its duration', () => {
    expect(leaseState(lease('other', '2025-01-31T11:59:30.000000Z'), 'me', now)).toEqual({ free: false, holder: 'other', renewedAgoMs: 30_000, expiresInMs: 30_000 });
  });
  test('expired when seen unchanged for its duration, even if a skewed clock says it is fresh', () => {
    const fromTheFuture = lease('other', '2025-01-31T12:05:00.000000Z');
    expect(leaseState(fromTheFuture, 'me', now, 10_000).free).toBe(false);
    expect(leaseState(fromTheFuture, 'me', now, 61_000).free).toBe(true);
  });
  test('MicroTime has six fractional digits', () => {
    expect(microTime(new Date('2025-01-31T12:00:00.123Z'))).toBe('2025-01-31T12:00:00.123000Z');
  });
});
