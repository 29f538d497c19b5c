// The broken input of cert-dir-leaf-folders-linked, given to the real SG-C1 (real openssl): on a
// folder whose 4_client links to 3_application the step fails, because openssl finds the client
// certificate where the server's should be; on a fresh folder the same step passes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { loadSettings } from '../../helpers/config';
import { DOC_NAMES } from './manifests';
import { stepHandle } from '../runtime/step';
import type { SecureGatewaysContext } from './context';
import { certificates } from './steps/certs';
import { linkLeafFolders } from '../../twin/faults/cert-dir';

const step = certificates.find((candidate) => candidate.id === 'SG-C1')!;
// SG-C1 needs only the settings, the host and the folder of a context.
const contextFor = (certDir: string) =>
  ({ settings: loadSettings({ KEY_TYPE: 'ecdsa' }), names: { ...DOC_NAMES, host: 'httpbin.example.com' }, certDir }) as unknown as SecureGatewaysContext;

describe('cert-dir-leaf-folders-linked', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-dir-fault-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('SG-C1 fails on the linked folder: the server certificate on disk is the client\'s', async () => {
    const certDir = path.join(dir, 'linked');
    fs.mkdirSync(certDir);
    linkLeafFolders(certDir);
    expect(fs.readlinkSync(path.join(certDir, '4_client'))).toBe('3_application');
    await expect(step.run(contextFor(certDir), stepHandle(step.id))).rejects.toThrow(/SG-C1: expected .*, but openssl verify of the server certificate said: [\s\S]*unsuitable certificate purpose/);
  }, 60_000);

  test('the same step passes on a fresh folder', async () => {
    const handle = stepHandle(step.id);
    await step.run(contextFor(path.join(dir, 'fresh')), handle);
    expect(handle.observed).toMatch(/openssl verify OK for server and client \(CN=httpbin\.example\.com\)/);
  }, 60_000);
});
