// What each part makes of what the cluster answered: Secrets described without their data, log
// lines holding key material withheld, istiod's syncz read as proxy-status reads it, events in order.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { makeDocChain, type DocChain } from '../pki';
import { eventLines } from './events';
import { keyScanner, type KeyScanner } from './key-scan';
import { safeLogText } from './logs-tail';
import { gatewayLine, syncState } from './proxy-status';
import { describeSecret, isSecretish } from './secrets-metadata';
import { readable } from './step-objects';

let chain: DocChain;
let scanner: KeyScanner;

beforeAll(async () => {
  chain = await makeDocChain();
  scanner = keyScanner([{ label: 'server key', pem: chain.server.keyPem }]);
}, 60_000);

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('secrets metadata', () => {
  test('keys with their sizes, labels and harmless annotations; never data, never the last-applied copy', () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/tls',
      metadata: {
        name: 'istio-ingressgateway-certs',
        namespace: 'istio-system',
        labels: { 'app.kubernetes.io/managed-by': 'istio-gateway-conformance' },
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ data: { 'tls.key': b64(chain.server.keyPem) } }),
          'example.com/owner': 'team-a',
          'example.com/api-token': 'short',
          'example.com/blob': 'A'.repeat(60),
        },
        creationTimestamp: '2026-12-07T10:00:00Z',
        resourceVersion: '4711',
      },
      data: { 'tls.crt': b64(chain.server.certPem), 'tls.key': b64(chain.server.keyPem) },
    };
    const described = describeSecret({ namespace: 'istio-system', name: 'istio-ingressgateway-certs' }, secret);
    expect(described).toEqual({
      namespace: 'istio-system',
      name: 'istio-ingressgateway-certs',
      exists: true,
      type: 'kubernetes.io/tls',
      keys: { 'tls.crt': Buffer.byteLength(chain.server.certPem), 'tls.key': Buffer.byteLength(chain.server.keyPem) },
      labels: { 'app.kubernetes.io/managed-by': 'istio-gateway-conformance' },
      annotations: { 'example.com/owner': 'team-a' },
      withheldAnnotations: ['kubectl.kubernetes.io/last-applied-configuration', 'example.com/api-token', 'example.com/blob'],
      createdAt: '2026-12-07T10:00:00Z',
      resourceVersion: '4711',
    });
    expect(scanner.findings(JSON.stringify(described))).toEqual([]);
    expect(describeSecret({ namespace: 'istio-system', name: 'gone' }, undefined)).toEqual({ namespace: 'istio-system', name: 'gone', exists: false });
  });

  test('what counts as secret-ish', () => {
    expect(isSecretish('app.kubernetes.io/version', '1.31')).toBe(false);
    expect(isSecretish('cert-manager.io/private-key-secret', 'x')).toBe(true);
    expect(isSecretish('note', `-----BEGIN PRIVATE ${'KEY'}-----`)).toBe(true);
    expect(isSecretish('note', 'x'.repeat(300))).toBe(true);
  });
});

describe('log tail', () => {
  test('a PEM key block is redacted, a bare line of the run\'s key withheld, the rest kept', () => {
    const keyLines = chain.server.keyPem.trim().split('\n');
    const log = ['2026-12-07T10:00:00Z info starting', `config: ${chain.client.keyPem}`, `leaked ${keyLines.at(-2)}`, '2026-12-07T10:00:01Z warning listener rejected'].join('\n');
    const safe = safeLogText(log, scanner);
    expect(safe.withheld).toBe(1);
    expect(scanner.findings(safe.text)).toEqual([]);
    const lines = safe.text.split('\n');
    expect(lines[0]).toBe('2026-12-07T10:00:00Z info starting');
    expect(lines).toContain('[line withheld: it matched the key-material scan]');
    expect(lines.at(-1)).toBe('2026-12-07T10:00:01Z warning listener rejected');
    expect(safe.text.includes('[redacted] (a PEM private key)')).toBe(true);
  });
});

describe('proxy status', () => {
  const syncz = [
    { proxy: 'httpbin-1.default', cluster_sent: 'a', cluster_acked: 'a' },
    { proxy: 'istio-ingressgateway-5c9d8-abcde.istio-system', cluster_sent: 'n1', cluster_acked: 'n1', listener_sent: 'n2', listener_acked: 'n1', route_sent: 'n3', route_acked: 'n3' },
  ];

  test('the gateway\'s line as istioctl proxy-status words it', () => {
    expect(gatewayLine(syncz, { namespace: 'istio-system', name: 'istio-ingressgateway-5c9d8-abcde' })).toEqual({
      proxy: 'istio-ingressgateway-5c9d8-abcde.istio-system',
      CDS: 'SYNCED',
      LDS: 'STALE',
      EDS: 'NOT SENT',
      RDS: 'SYNCED',
    });
    expect(gatewayLine(syncz, { namespace: 'istio-system', name: 'other' })).toBeUndefined();
    expect(syncState(undefined, undefined)).toBe('NOT SENT');
  });
});

describe('events and objects', () => {
  test('events oldest first, one line of facts each', () => {
    const events = [
      { type: 'Warning', reason: 'FailedMount', message: 'secret "istio-ingressgateway-certs" not found', lastTimestamp: '2026-12-07T10:00:05Z', involvedObject: { kind: 'Pod', name: 'gw' }, source: { component: 'kubelet' }, count: 3 },
      { type: 'Normal', reason: 'Scheduled', message: 'assigned', lastTimestamp: '2026-12-07T10:00:01Z', involvedObject: { kind: 'Pod', name: 'gw' }, source: { component: 'default-scheduler' } },
    ];
    expect(eventLines(events).map((e) => [e.time, e.reason, e.object, e.source])).toEqual([
      ['2026-12-07T10:00:01Z', 'Scheduled', 'Pod/gw', 'default-scheduler'],
      ['2026-12-07T10:00:05Z', 'FailedMount', 'Pod/gw', 'kubelet'],
    ]);
  });

  test('an object as a person reads it: no managedFields, no last-applied copy', () => {
    const object = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'httpbin-gateway', managedFields: [{ manager: 'x' }], annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', keep: 'me' } },
    };
    expect(readable(object)).toEqual({ apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'httpbin-gateway', annotations: { keep: 'me' } } });
  });
});
