import { describe, expect, test } from '@jest/globals';
import { StepLedger } from '../runtime/results';
import { secureGatewaysCatalogue } from './catalogue';
import { libreSslBuild } from './steps/doc-curl';

// The step IDs of the catalogue (STEPS.md), in the doc's order: none may be dropped silently.
const CATALOGUE_IDS = [
  'SG-B1', 'SG-B2', 'SG-B3',
  'SG-C1',
  'SG-S1', 'SG-S2', 'SG-S3', 'SG-S4', 'SG-S4-curl', 'SG-S5', 'SG-S6',
  'SG-M1', 'SG-M2', 'SG-M3', 'SG-M3-curl', 'SG-M4', 'SG-M4-curl', 'SG-M5', 'SG-M6',
  'SG-T1', 'SG-T2', 'SG-T3', 'SG-T4', 'SG-T5', 'SG-T6', 'SG-T7', 'SG-T8',
  'SG-X1', 'SG-X2', 'SG-X3',
];

describe('Secure Gateways catalogue', () => {
  test('has every step of the catalogue, once, in the doc order', () => {
    expect(secureGatewaysCatalogue.map((step) => step.id)).toEqual(CATALOGUE_IDS);
  });

  test('dependencies point backwards only (the ledger checks), and cleanup always runs', () => {
    expect(() => new StepLedger(secureGatewaysCatalogue, { stopAtFirstFailure: false })).not.toThrow();
    expect(secureGatewaysCatalogue.filter((step) => step.always).map((step) => step.id)).toEqual(['SG-X1', 'SG-X2', 'SG-X3']);
  });

  test('MUTUAL is awaited through the refusal without a client certificate', () => {
    const byId = new Map(secureGatewaysCatalogue.map((step) => [step.id, step]));
    expect(byId.get('SG-M4')!.dependsOn).toEqual(['SG-M3']);
    expect(byId.get('SG-M5')!.dependsOn).toEqual(['SG-M3']);
  });

  test('the macOS curl checks are reported skipped with the reason off macOS', () => {
    for (const id of ['SG-B3', 'SG-T6']) {
      const step = secureGatewaysCatalogue.find((s) => s.id === id)!;
      expect(step.notApplicable?.({} as never)).toMatch(process.platform === 'darwin' ? /^$|no curl on PATH/ : /the doc's check is for macOS's curl; this machine runs linux/);
    }
  });

  test("the doc's curl runs after the probe's step it repeats", () => {
    const byId = new Map(secureGatewaysCatalogue.map((step) => [step.id, step]));
    for (const id of ['SG-S4', 'SG-M3', 'SG-M4']) expect(byId.get(`${id}-curl`)!.dependsOn).toEqual([id]);
  });
});

describe("the doc's macOS curl check", () => {
  test('passes only for a curl built with LibreSSL', () => {
    expect(libreSslBuild('curl 7.54.0 (x86_64-apple-darwin17.0) libcurl/7.54.0 LibreSSL/2.0.20 zlib/1.2.11 nghttp2/1.24.0')).toBe(true);
    expect(libreSslBuild('curl 8.7.1 (x86_64-apple-darwin23.0) libcurl/8.7.1 (SecureTransport) OpenSSL/3.3.0 zlib/1.2.12')).toBe(false);
    expect(libreSslBuild('curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/7.88.1 OpenSSL/3.0.19 zlib/1.2.13')).toBe(false);
  });
});
