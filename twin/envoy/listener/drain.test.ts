// Envoy's drain decision: immediate always closes; gradual closes with a probability that grows
// with the whole seconds elapsed of the drain time (drain_manager_impl.cc, drainClose).
import { describe, expect, test } from '@jest/globals';
import { listenerDrainDecision } from './drain';

describe('listenerDrainDecision', () => {
  test('immediate: every response closes its connection from the start', () => {
    expect(listenerDrainDecision('immediate', 600_000)()).toBe(true);
  });

  test('gradual: elapsed seconds > random % drain seconds', () => {
    const now = Date.now();
    // 600 s drain, started 300 s ago: elapsed 300 s; random % 600 below 300 closes, above does not.
    const random = (value: number) => () => value / 2 ** 32;
    expect(listenerDrainDecision('gradual', 600_000, now - 300_000, random(299))()).toBe(true);
    expect(listenerDrainDecision('gradual', 600_000, now - 300_000, random(301))()).toBe(false);
    // At the start nothing has elapsed yet: no connection closes; at the deadline all do.
    // (Envoy counts whole remaining seconds: a drain begun half a second from now has 600 left, so the
    // call's own milliseconds cannot make it 599.)
    expect(listenerDrainDecision('gradual', 600_000, now + 500, random(0))()).toBe(false);
    expect(listenerDrainDecision('gradual', 600_000, now - 600_000, random(599))()).toBe(true);
    expect(listenerDrainDecision('gradual', 0, now, random(0))()).toBe(true);
  });
});
