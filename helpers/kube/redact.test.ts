import { describe, expect, test } from '@jest/globals';
import { inspect } from 'node:util';
import { guardSecrets, redacted, renderObject } from './redact';

const key = '-----BEGIN PRIVATE' + ' KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';
const secret = {
  apiVersion: 'v1',
  kind: 'Secret',
  type: 'kubernetes.io/tls',
  metadata: {
    name: 'istio-ingressgateway-certs',
    namespace: 'istio-system',
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ data: { 'tls.key': Buffer.from(key).toString('base64') } }), note: 'kept' },
  },
  data: { 'tls.key': Buffer.from(key).toString('base64'), 'tls.crt': Buffer.from('CERT').toString('base64') },
  stringData: { extra: key },
};

describe('redacted', () => {
  test('replaces Secret values (data, stringData, last-applied) by their size and leaves the rest', () => {
    const safe = redacted(secret);
    expect(safe.data).toEqual({ 'tls.key': `<redacted, ${key.length} bytes>`, 'tls.crt': '<redacted, 4 bytes>' });
    expect(safe.stringData).toEqual({ extra: `<redacted, ${key.length} bytes>` });
    expect(safe.metadata.annotations).toEqual({ 'kubectl.kubernetes.io/last-applied-configuration': '<redacted>', note: 'kept' });
    expect(safe.metadata.name).toBe('istio-ingressgateway-certs');
    expect(secret.data['tls.key']).toBe(Buffer.from(key).toString('base64')); // the original is untouched
  });

  test('finds Secrets inside lists and other structures; other kinds keep their data', () => {
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'visible' } };
    const rendered = renderObject({ kind: 'List', items: [secret, configMap], backups: [{ before: secret }] });
    expect(rendered).not.toContain('BEGIN PRIVATE' + ' KEY');
    expect(rendered).not.toContain(Buffer.from(key).toString('base64').slice(0, 20));
    expect(rendered).toContain('visible');
    expect(rendered).toContain('tls.key: <redacted');
    expect(inspect(redacted([secret]), { depth: 9 })).not.toContain(secret.data['tls.key'].slice(0, 16));
  });
});

describe('guardSecrets', () => {
  test('a Secret prints redacted but keeps its data for code and JSON', () => {
    const guarded = guardSecrets({ kind: 'SecretList', items: [JSON.parse(JSON.stringify(secret)) as typeof secret] });
    const printed = inspect(guarded, { depth: 9 });
    expect(printed).not.toContain(secret.data['tls.key'].slice(0, 16));
    expect(printed).not.toContain('BEGIN PRIVATE' + ' KEY');
    expect(printed).toContain('<redacted');
    expect(guarded.items[0]!.data['tls.key']).toBe(secret.data['tls.key']);
    expect(JSON.stringify(guarded)).toContain(secret.data['tls.key']);
  });
});
