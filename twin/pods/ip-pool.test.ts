import { describe, expect, test } from '@jest/globals';
import { IpPool } from './ip-pool';

describe('IpPool', () => {
  test('hands out addresses after the gateway, never network, gateway or broadcast', () => {
    const pool = new IpPool('10.244.0.0/29');
    expect(pool.gateway).toBe('10.244.0.1');
    const given = ['a', 'b', 'c', 'd', 'e'].map((owner) => pool.allocate(owner));
    expect(given).toEqual(['10.244.0.2', '10.244.0.3', '10.244.0.4', '10.244.0.5', '10.244.0.6']);
    expect(() => pool.allocate('f')).toThrow(/full/);
  });

  test('an owner keeps its address; a released one is reused only after the others (round robin)', () => {
    const pool = new IpPool('10.244.0.0/24');
    const a = pool.allocate('a');
    expect(pool.allocate('a')).toBe(a);
    pool.allocate('b');
    pool.release('a');
    expect(pool.allocate('c')).toBe('10.244.0.4');
    expect(pool.inUse).toBe(2);
  });

  test('reserve claims a free address in range and refuses others', () => {
    const pool = new IpPool('10.244.0.0/24');
    expect(pool.reserve('10.244.0.9', 'x')).toBe(true);
    expect(pool.reserve('10.244.0.9', 'y')).toBe(false);
    expect(pool.reserve('10.244.0.1', 'y')).toBe(false); // the gateway
    expect(pool.reserve('10.245.0.9', 'y')).toBe(false);
    expect(pool.allocate('x')).toBe('10.244.0.9');
  });

  test('refuses loopback and malformed ranges', () => {
    expect(() => new IpPool('127.0.0.0/24')).toThrow(/loopback/);
    expect(() => new IpPool('10.244.0.1/24')).toThrow(/host bits/);
    expect(() => new IpPool('10.244.0.0')).toThrow(/prefix/);
  });
});
