import { describe, expect, test } from '@jest/globals';
import got from 'got';
import { $ } from 'zx';
import * as k8s from '@kubernetes/client-node';

describe('toolchain', () => {
  test('runs on the Node that npm ci installed', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24);
  });
  test('loads the ESM-only packages', async () => {
    expect(typeof got).toBe('function');
    expect(typeof k8s.KubeConfig).toBe('function');
    const out = await $`echo ok`.quiet();
    expect(out.stdout.trim()).toBe('ok');
  });
});
