// The pod runner's fault decisions: only the doc's gateway, only the doc's secrets, only while armed;
// a substitute pair written in place of the Secret's, or nothing until it exists; the CA chain
// reversed, still the same certificates.
import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { makeDocChain } from '../../helpers/pki';
import type { DocChain } from '../../helpers/pki';
import { NO_FAULTS, type ActiveFaults, type FaultMaterial } from './active';
import type { FaultName } from './names';
import { readinessFailed, reversedCertificates, secretVolumeFiles, volumeSyncSkipped, type PlannedFile } from './pod-runner';

const armed = (names: FaultName[], material: FaultMaterial = {}): ActiveFaults => ({ ...NO_FAULTS, faults: names, material });
const file = (path: string, text: string): PlannedFile => ({ path, data: Buffer.from(text), mode: 0o600 });
const subjects = (pem: string) => (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((block) => new X509Certificate(block).subject.match(/CN=(.*)/)?.[1]);

describe('pod runner faults', () => {
  let chain: DocChain;
  beforeAll(async () => {
    chain = await makeDocChain({ keyType: 'ecdsa' });
  });

  test('gateway-not-ready fails the readiness of the doc\'s gateway pods only, and only while armed', () => {
    const gateway = { app: 'istio-ingressgateway', istio: 'ingressgateway' };
    expect(readinessFailed(armed(['gateway-not-ready']), gateway)).toBe(true);
    expect(readinessFailed(armed(['gateway-not-ready']), { app: 'httpbin' })).toBe(false);
    expect(readinessFailed(armed(['gateway-not-ready']), undefined)).toBe(false);
    expect(readinessFailed(NO_FAULTS, gateway)).toBe(false);
  });

  test('secret-not-mounted skips the resync of the server secret only', () => {
    expect(volumeSyncSkipped(armed(['secret-not-mounted']), 'istio-ingressgateway-certs')).toBe(true);
    expect(volumeSyncSkipped(armed(['secret-not-mounted']), 'istio-ingressgateway-ca-certs')).toBe(false);
    expect(volumeSyncSkipped(NO_FAULTS, 'istio-ingressgateway-certs')).toBe(false);
  });

  test('mounted-cert-other-serial writes the substitute pair, and nothing of the Secret\'s while it has none', () => {
    const secretFiles = [file('tls.crt', chain.server.certPem), file('tls.key', chain.server.keyPem)];
    expect(secretVolumeFiles(armed(['mounted-cert-other-serial']), 'istio-ingressgateway-certs', secretFiles)).toBe('wait');
    const other = { certPem: chain.client.certPem, keyPem: chain.client.keyPem }; // any other pair will do here
    const written = secretVolumeFiles(armed(['mounted-cert-other-serial'], { otherServer: other }), 'istio-ingressgateway-certs', secretFiles);
    expect(written).not.toBe('wait');
    const byPath = new Map((written as PlannedFile[]).map((f) => [f.path, f]));
    expect(byPath.get('tls.crt')!.data.toString()).toBe(other.certPem);
    expect(byPath.get('tls.key')!.data.toString()).toBe(other.keyPem);
    expect(byPath.get('tls.key')!.mode).toBe(0o600);
    // An empty volume (no Secret yet), another secret, or no fault: the planned files as they are.
    expect(secretVolumeFiles(armed(['mounted-cert-other-serial']), 'istio-ingressgateway-certs', [])).toEqual([]);
    expect(secretVolumeFiles(armed(['mounted-cert-other-serial']), 'other', secretFiles)).toBe(secretFiles);
    expect(secretVolumeFiles(NO_FAULTS, 'istio-ingressgateway-certs', secretFiles)).toBe(secretFiles);
  });

  test('mounted-ca-chain-reversed puts the root first and keeps every certificate', () => {
    const planned = [file('ca-chain.cert.pem', chain.caChainPem)];
    expect(subjects(chain.caChainPem)).toEqual(['httpbin.example.com Intermediate CA', 'httpbin.example.com Root CA']);
    const [written] = secretVolumeFiles(armed(['mounted-ca-chain-reversed']), 'istio-ingressgateway-ca-certs', planned) as PlannedFile[];
    expect(subjects(written!.data.toString())).toEqual(['httpbin.example.com Root CA', 'httpbin.example.com Intermediate CA']);
    expect(written!.data.toString()).toBe(chain.root.certPem.trimEnd() + '\n' + chain.intermediate.certPem.trimEnd() + '\n');
    expect(secretVolumeFiles(armed(['mounted-ca-chain-reversed']), 'istio-ingressgateway-certs', planned)).toBe(planned);
    expect(reversedCertificates('no certificate')).toBe('');
  });
});
