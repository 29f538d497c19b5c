import { afterAll, describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { BackupLedger } from './backup';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-backup-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const key = Buffer.from('-----BEGIN PRIVATE' + ' KEY-----\nsecret\n-----END PRIVATE KEY-----\n').toString('base64');
const secretRef = { apiVersion: 'v1', kind: 'Secret', namespace: 'istio-system', name: 'istio-ingressgateway-certs' };
const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: secretRef.name, namespace: secretRef.namespace }, data: { 'tls.key': key } };

describe('BackupLedger', () => {
  test('saves every change to its file, mode 0600, and loads it back', () => {
    const file = path.join(dir, 'ledger.json');
    fs.writeFileSync(file, '[]', { mode: 0o644 }); // an older file with looser permissions
    const ledger = new BackupLedger(file);
    ledger.record({ ref: secretRef, before: secret, at: '2025-01-31T12:00:00Z' });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const loaded = BackupLedger.load(file);
    expect(loaded.entries).toEqual([{ ref: secretRef, before: secret, at: '2025-01-31T12:00:00Z' }]);
    loaded.forget(secretRef);
    expect(BackupLedger.load(file).entries).toEqual([]);
    expect(BackupLedger.load(path.join(dir, 'absent.json')).entries).toEqual([]);
  });

  test('keeps the first record of an object: the state before the suite touched it', () => {
    const ledger = new BackupLedger();
    ledger.record({ ref: secretRef, before: secret, at: 'first' });
    ledger.record({ ref: { ...secretRef, apiVersion: 'v1' }, before: null, at: 'second' });
    expect(ledger.entries.map((e) => e.at)).toEqual(['first']);
    expect(ledger.has({ ...secretRef, name: 'other' })).toBe(false);
  });

  test('printing it never shows the Secrets it holds', () => {
    const ledger = new BackupLedger();
    ledger.record({ ref: secretRef, before: secret, at: 'now' });
    for (const text of [inspect(ledger, { depth: 10 }), String(ledger), `${inspect({ wrapped: ledger }, { depth: 10 })}`]) {
      expect(text).not.toContain(key.slice(0, 12));
      expect(text).toContain('<redacted');
    }
  });
});
