import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';
import type { V1ConfigMap, V1Pod, V1Secret, V1Volume } from '@kubernetes/client-node';
import { writeAtomically } from './atomic-writer';
import { planVolume, VolumeNotReady, type ProjectionContext, type VolumeFile } from './volumes';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const secrets: Record<string, V1Secret> = {
  'istio-system/istio-ingressgateway-certs': { type: 'kubernetes.io/tls', data: { 'tls.crt': b64('CERT'), 'tls.key': b64('KEY') } },
};
const configMaps: Record<string, V1ConfigMap> = {
  'istio-system/kube-root-ca.crt': { data: { 'ca.crt': 'ROOT' } },
  'istio-system/bin': { binaryData: { blob: b64('\u0001\u0002') } },
};
const pod: V1Pod = {
  metadata: { name: 'gw-1', namespace: 'istio-system', uid: 'u', labels: { b: '2', a: '1' }, annotations: { 'x/y': 'say "hi"' } },
  spec: { containers: [{ name: 'istio-proxy', resources: { limits: { cpu: '2' } } }] },
};
const tokensAsked: unknown[] = [];
const ctx: ProjectionContext = {
  pod,
  facts: { podIP: '10.244.0.9', hostIP: '10.250.0.2' },
  lookup: { secret: (ns, n) => secrets[`${ns}/${n}`], configMap: (ns, n) => configMaps[`${ns}/${n}`] },
  token: (projection) => {
    tokensAsked.push(projection);
    return projection.audience === 'nobody' ? undefined : `token-for-${projection.audience ?? 'default'}`;
  },
};

function files(volume: V1Volume): Record<string, [string, string]> {
  const plan = planVolume(volume, ctx);
  if (plan.kind !== 'files') throw new Error(`not files: ${plan.kind}`);
  return Object.fromEntries(plan.files.map((f) => [f.path, [f.data.toString(), f.mode.toString(8)]]));
}

describe('planVolume', () => {
  test('a secret: every key, 0600 unless a mode is given', () => {
    expect(files({ name: 'certs', secret: { secretName: 'istio-ingressgateway-certs' } })).toEqual({ 'tls.crt': ['CERT', '600'], 'tls.key': ['KEY', '600'] });
    expect(files({ name: 'certs', secret: { secretName: 'istio-ingressgateway-certs', defaultMode: 0o644 } })['tls.key']).toEqual(['KEY', '644']);
  });

  test('items pick keys, rename them and set their own mode', () => {
    const volume = { name: 'c', secret: { secretName: 'istio-ingressgateway-certs', defaultMode: 0o440, items: [{ key: 'tls.key', path: 'keys/server.key', mode: 0o400 }, { key: 'tls.crt', path: 'server.crt' }] } };
    expect(files(volume)).toEqual({ 'keys/server.key': ['KEY', '400'], 'server.crt': ['CERT', '440'] });
  });

  test('optional and missing: an empty volume; required and missing: the pod waits', () => {
    expect(files({ name: 'ca', secret: { secretName: 'istio-ingressgateway-ca-certs', optional: true } })).toEqual({});
    expect(() => planVolume({ name: 'ca', secret: { secretName: 'istio-ingressgateway-ca-certs' } }, ctx)).toThrow(VolumeNotReady);
    expect(() => planVolume({ name: 'ca', secret: { secretName: 'istio-ingressgateway-ca-certs' } }, ctx)).toThrow('secret "istio-ingressgateway-ca-certs" not found');
    const missingKey = { name: 'c', secret: { secretName: 'istio-ingressgateway-certs', items: [{ key: 'ca.crt', path: 'ca.crt' }] } };
    expect(() => planVolume(missingKey, ctx)).toThrow(/non-existent key ca.crt/);
  });

  test('configMaps: data and binaryData, 0644 by default', () => {
    expect(files({ name: 'r', configMap: { name: 'kube-root-ca.crt' } })).toEqual({ 'ca.crt': ['ROOT', '644'] });
    expect(files({ name: 'b', configMap: { name: 'bin' } }).blob![0]).toBe('\u0001\u0002');
  });

  test('downwardAPI: labels and annotations as sorted key="value" lines', () => {
    const volume = {
      name: 'podinfo',
      downwardAPI: {
        items: [
          { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
          { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
          { path: 'cpu-limit', resourceFieldRef: { containerName: 'istio-proxy', resource: 'limits.cpu', divisor: '1m' } },
        ],
      },
    };
    expect(files(volume)).toEqual({ labels: ['a="1"\nb="2"', '644'], annotations: ['x/y="say \\"hi\\""', '644'], 'cpu-limit': ['2000', '644'] });
  });

  test('projected: service-account token with its audience, kube-root-ca.crt, namespace', () => {
    const volume: V1Volume = {
      name: 'kube-api-access',
      projected: {
        defaultMode: 0o644,
        sources: [
          { serviceAccountToken: { path: 'token', audience: 'istio-ca', expirationSeconds: 43200 } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
        ],
      },
    };
    expect(files(volume)).toEqual({ token: ['token-for-istio-ca', '644'], 'ca.crt': ['ROOT', '644'], namespace: ['istio-system', '644'] });
    expect(tokensAsked).toContainEqual({ path: 'token', audience: 'istio-ca', expirationSeconds: 43200 });
    const noToken: V1Volume = { name: 't', projected: { sources: [{ serviceAccountToken: { path: 'token', audience: 'nobody' } }] } };
    expect(() => planVolume(noToken, ctx)).toThrow(/failed to fetch token/);
  });

  test('paths that leave the volume are refused', () => {
    const volume = { name: 'c', secret: { secretName: 'istio-ingressgateway-certs', items: [{ key: 'tls.key', path: '../escape' }] } };
    expect(() => planVolume(volume, ctx)).toThrow(/invalid path/);
  });

  test('emptyDir and unsupported kinds', () => {
    expect(planVolume({ name: 'e', emptyDir: {} }, ctx)).toEqual({ kind: 'emptyDir' });
    expect(planVolume({ name: 'n', nfs: { server: 'x', path: '/' } }, ctx)).toMatchObject({ kind: 'unsupported', message: expect.stringContaining('nfs') });
  });
});

describe('writeAtomically', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const tmp = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atomic-'));
    dirs.push(dir);
    return path.join(dir, 'vol');
  };
  const file = (p: string, data: string, mode: number): VolumeFile => ({ path: p, data: Buffer.from(data), mode });

  test('..data points at a timestamped folder; visible names are symlinks into it, with the modes asked', () => {
    const dir = tmp();
    expect(writeAtomically(dir, [file('tls.crt', 'CERT', 0o644), file('tls.key', 'KEY', 0o600), file('sub/x', 'X', 0o400)])).toBe(true);
    const version = fs.readlinkSync(path.join(dir, '..data'));
    expect(version).toMatch(/^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\./);
    expect(fs.readlinkSync(path.join(dir, 'tls.key'))).toBe('..data/tls.key');
    expect(fs.readFileSync(path.join(dir, 'tls.key'), 'utf8')).toBe('KEY');
    expect(fs.statSync(path.join(dir, 'tls.key')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dir, 'sub/x')).mode & 0o777).toBe(0o400);
    expect(fs.readdirSync(dir).sort()).toEqual(['..data', version, 'sub', 'tls.crt', 'tls.key'].sort());
  });

  test('an update swaps ..data, drops stale names and the old folder; the same payload writes nothing', () => {
    const dir = tmp();
    writeAtomically(dir, [file('tls.crt', 'OLD', 0o644), file('gone', 'G', 0o644)]);
    const first = fs.readlinkSync(path.join(dir, '..data'));
    expect(writeAtomically(dir, [file('tls.crt', 'NEW', 0o644)])).toBe(true);
    const second = fs.readlinkSync(path.join(dir, '..data'));
    expect(second).not.toBe(first);
    expect(fs.readFileSync(path.join(dir, 'tls.crt'), 'utf8')).toBe('NEW');
    expect(fs.readdirSync(dir).sort()).toEqual(['..data', second, 'tls.crt'].sort());
    expect(writeAtomically(dir, [file('tls.crt', 'NEW', 0o644)])).toBe(false);
    expect(writeAtomically(dir, [file('tls.crt', 'NEW', 0o600)])).toBe(true); // a mode change is a change
  });

  test('an empty payload (optional secret absent) leaves an empty volume that fills later', () => {
    const dir = tmp();
    writeAtomically(dir, []);
    expect(fs.readdirSync(dir).filter((e) => !e.startsWith('..'))).toEqual([]);
    writeAtomically(dir, [file('ca.crt', 'CA', 0o644)]);
    expect(fs.readFileSync(path.join(dir, 'ca.crt'), 'utf8')).toBe('CA');
  });
});
