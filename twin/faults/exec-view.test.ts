// The exec faults' rewrite of a container's exec entry: only the bind at the doc's path changes,
// to the other volume's folder; the entry stays private; putting it back restores it byte for
// byte, unless the runner published a new one meanwhile.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { containerEntryFile, publishContainer } from '../pods/hook';
import { ExecViewRewrites, readEntry, rebind } from './exec-view';

const CERTS = '/etc/istio/ingressgateway-certs';
const CA = '/etc/istio/ingressgateway-ca-certs';
const prefix = [
  '/sbin/ip', 'netns', 'exec', 'pod-ns', '/usr/bin/bwrap',
  '--ro-bind', '/', '/',
  '--ro-bind', '/state/pods/uid/volumes/ingressgateway-certs', CERTS,
  '--ro-bind', '/state/pods/uid/volumes/ingressgateway-ca-certs', CA,
  '--setenv', 'SECRET_VALUE', 'kept as is',
  '--',
];

describe('exec view rewrites', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exec-view-'));
  const paths = { hook: path.join(dir, 'hook'), index: path.join(dir, 'exec') };
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('rebind swaps the source of one bind only', () => {
    const next = rebind(prefix, CERTS, CA)!;
    expect(next[next.indexOf(CERTS) - 1]).toBe('/state/pods/uid/volumes/ingressgateway-ca-certs');
    expect(next[next.indexOf(CA) - 1]).toBe('/state/pods/uid/volumes/ingressgateway-ca-certs');
    expect(next.filter((arg, i) => arg !== prefix[i])).toEqual(['/state/pods/uid/volumes/ingressgateway-ca-certs']);
    expect(rebind(prefix, '/etc/other', CA)).toBeUndefined();
    expect(rebind(prefix, CERTS, '/etc/other')).toBeUndefined();
  });

  test('an entry the runner published is rewritten 0600 and put back as it was', () => {
    publishContainer({ ...paths }, 'istio-system', 'gw-1', 'istio-proxy', prefix);
    const file = containerEntryFile(paths, 'istio-system', 'gw-1', 'istio-proxy');
    const before = fs.readFileSync(file);
    const rewrites = new ExecViewRewrites();
    expect(rewrites.rebind(file, CA, CERTS)).toBe(true);
    expect(readEntry(file)[readEntry(file).indexOf(CA) - 1]).toBe('/state/pods/uid/volumes/ingressgateway-certs');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    rewrites.restore();
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  test('a newer entry (the container restarted) is left alone; a missing one is no error', () => {
    publishContainer({ ...paths }, 'istio-system', 'gw-2', 'istio-proxy', prefix);
    const file = containerEntryFile(paths, 'istio-system', 'gw-2', 'istio-proxy');
    const rewrites = new ExecViewRewrites();
    expect(rewrites.rebind(file, CERTS, CA)).toBe(true);
    const republished = [...prefix.slice(0, -1), '--setenv', 'RESTARTED', '1', '--'];
    publishContainer({ ...paths }, 'istio-system', 'gw-2', 'istio-proxy', republished);
    rewrites.restore();
    expect(readEntry(file)).toEqual(republished);
    expect(rewrites.rebind(file, CERTS, CA)).toBe(true);
    fs.rmSync(file);
    expect(() => rewrites.restore()).not.toThrow();
  });
});
