import { describe, expect, test } from '@jest/globals';
import { loadSettings } from './config';
import { catalogueWaitMs, REAL_KUBELET_FILE_MOUNT_WAIT_MS } from './file-mount-wait';
import { realKubeletEnv } from '../targets';

describe('the file-mount wait on a real kubelet', () => {
  test("is derived from the kubelet's sync period and Secret cache TTL and pilot-agent's retry, not from the twin's 2 s", () => {
    expect(REAL_KUBELET_FILE_MOUNT_WAIT_MS).toBe(60_000 + 60_000 + 10_000 + 10_000);
    expect(REAL_KUBELET_FILE_MOUNT_WAIT_MS).toBeGreaterThan(loadSettings({}).WAIT_BUDGET_MS);
  });

  test('kind and existing hand it to the suites; FILE_MOUNT_WAIT_MS replaces it', () => {
    expect(realKubeletEnv(loadSettings({}))).toEqual({ FILE_MOUNT_WAIT_MS: '140000' });
    expect(realKubeletEnv(loadSettings({ FILE_MOUNT_WAIT_MS: '300000' }))).toEqual({ FILE_MOUNT_WAIT_MS: '300000' });
  });

  test('applies to the file-mount profile only, with WAIT_BUDGET_MS as the floor; unset (the twin) changes nothing', () => {
    expect(catalogueWaitMs(120_000, 'file-mount', 140_000)).toBe(140_000);
    expect(catalogueWaitMs(200_000, 'file-mount', 140_000)).toBe(200_000);
    expect(catalogueWaitMs(120_000, 'sds', 140_000)).toBe(120_000);
    expect(catalogueWaitMs(10_000, 'file-mount', undefined)).toBe(10_000);
  });

  test('a bad FILE_MOUNT_WAIT_MS is one line', () => {
    expect(() => loadSettings({ FILE_MOUNT_WAIT_MS: '-1' })).toThrow(/^setting FILE_MOUNT_WAIT_MS="-1" is not accepted: /);
  });
});
