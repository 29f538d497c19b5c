import { describe, expect, test } from '@jest/globals';
import { observationReport, renderObservation } from './render';
import type { Observation, PeerCertificate } from './types';

const peer: PeerCertificate = {
  subject: { C: 'US', O: 'Dis', CN: 'httpbin.example.com' },
  issuer: { C: 'US', O: 'Dis', CN: 'httpbin.example.com Intermediate CA' },
  serialNumber: '1a2b',
  subjectAltNames: ['DNS:httpbin.example.com'],
  validFrom: '2026-01-01T00:00:00.000Z',
  validTo: '2027-01-11T00:00:00.000Z',
  fingerprint256: 'AA:BB',
};
const base = { url: 'https://httpbin.example.com:31443/status/418', address: '10.0.0.2', port: 31443, elapsedMs: 20 };

const teapot: Observation = {
  ...base,
  outcome: 'response',
  status: 418,
  httpVersion: '2',
  alpn: 'h2',
  tlsVersion: 'TLSv1.3',
  headers: { 'x-more-info': 'http://tools.ietf.org/html/rfc2324' },
  body: "I'm a teapot!",
  bodyTruncated: false,
  peer,
  detail: 'HTTP/2 418',
};
const refused: Observation = { ...base, outcome: 'tls-alert', alert: 'certificate_required', alertNumber: 116, phase: 'first-read', tlsVersion: 'TLSv1.3', code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', opensslCode: '0A00045C', detail: '...' };
const reset: Observation = { ...base, outcome: 'reset', phase: 'handshake', code: 'ECONNRESET', tlsVersion: null, detail: 'ECONNRESET: Client network socket disconnected before secure TLS connection was established' };

describe('renderObservation: one line in curl terms', () => {
  test.each([
    [teapot, `HTTP/2 418, TLSv1.3, ALPN h2, peer CN=httpbin.example.com issued by CN=httpbin.example.com Intermediate CA, body 13 bytes "I'm a teapot!"`],
    [refused, 'TLS alert certificate_required from the server on first read (TLSv1.3)'],
    [{ ...refused, alert: 'handshake_failure', phase: 'handshake', tlsVersion: 'TLSv1.2' }, 'TLS alert handshake_failure from the server during the handshake (TLSv1.2)'],
    [{ ...base, outcome: 'untrusted', reason: 'unknown-issuer', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', tlsVersion: 'TLSv1.3', alpn: 'h2', peer, detail: '' }, 'server certificate not trusted: unknown-issuer (UNABLE_TO_VERIFY_LEAF_SIGNATURE), peer CN=httpbin.example.com issued by CN=httpbin.example.com Intermediate CA'],
    [{ ...base, outcome: 'refused', phase: 'connect', code: 'ECONNREFUSED', tlsVersion: null, detail: '' }, 'TCP connection refused by 10.0.0.2:31443'],
    [reset, 'connection closed by the server during handshake (ECONNRESET: Client network socket disconnected before secure TLS connection was established)'],
    [{ ...base, outcome: 'dns', address: null, phase: 'dns', code: 'ENOTFOUND', tlsVersion: null, detail: 'getaddrinfo ENOTFOUND httpbin.example.com' }, 'cannot resolve httpbin.example.com (getaddrinfo ENOTFOUND httpbin.example.com)'],
  ] as Array<[Observation, string]>)('%#', (observation, line) => {
    expect(renderObservation(observation)).toBe(line);
  });
});

describe('observationReport: the CLI record', () => {
  test('a response fills the fields', () => {
    const report = observationReport(teapot);
    expect(report).toMatchObject({ outcome: 'response', status: 418, httpVersion: '2', alert: null, phase: null, body: "I'm a teapot!" });
    expect(report.summary).toBe(renderObservation(teapot));
    expect(report.peer).toEqual({ subject: peer.subject, issuer: peer.issuer, serialNumber: '1a2b', subjectAltNames: peer.subjectAltNames, validFrom: peer.validFrom, validTo: peer.validTo });
  });

  test('other outcomes have null where a field does not apply, peer.subject.CN included', () => {
    const report = observationReport(reset);
    expect(report).toMatchObject({ outcome: 'reset', status: null, httpVersion: null, alpn: null, tlsVersion: null, alert: null, phase: 'handshake', code: 'ECONNRESET', body: null });
    expect(report.peer.subject.CN).toBeNull();
    expect(report.peer.issuer.CN).toBeNull();
    expect(report.peer.serialNumber).toBeNull();
    expect(report.peer.subjectAltNames).toBeNull();
    expect(observationReport(refused)).toMatchObject({ alert: 'certificate_required', alertNumber: 116, phase: 'first-read', status: null });
  });
});
