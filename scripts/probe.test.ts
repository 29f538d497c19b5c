// `npm run probe` as a person runs it: curl's flags, one JSON object on stdout, exit 0/1/2.
// The runs are started together in beforeAll (each pays tsx's start-up) and checked one by one.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { certificateSummary, makeDocChain, writeDocLayout, type DocLayout } from '../helpers/pki';
import { startNodeServer, type TestServer } from '../helpers/probe/test-servers';
import { runEntryPoint, type EntryPointRun as Run } from '../helpers/testing/run-entry-point';

const HOST = 'httpbin.example.com';

function runProbe(args: string[]) {
  return runEntryPoint('scripts/probe.ts', args, { timeoutMs: 60_000 });
}

let tmp: string;
let files: DocLayout;
let serial: string;
let intermediateCN: string | undefined;
const servers: TestServer[] = [];
const runs: Record<string, Run> = {};

beforeAll(async () => {
  const chain = await makeDocChain({ keyType: 'ecdsa' });
  serial = certificateSummary(chain.server.certPem).serialNumber;
  intermediateCN = certificateSummary(chain.intermediate.certPem).subject.CN;
  tmp = await mkdtemp(path.join(os.tmpdir(), 'probe-cli-test-'));
  files = await writeDocLayout(chain, tmp);
  const tls = { cert: chain.server.certPem, key: chain.server.keyPem };
  const [simple, mutual] = await Promise.all([
    startNodeServer('http2', tls),
    startNodeServer('http2', { ...tls, ca: chain.caChainPem, requestCert: true, rejectUnauthorized: true }),
  ]);
  servers.push(simple, mutual);
  // A generous --timeout: a cold process on a busy machine is slow to its first handshake.
  const curl = (port: number, ...flags: string[]) => ['--resolve', `${HOST}:${port}:127.0.0.1`, '--cacert', files.caChain, '--timeout', '10000', ...flags, `https://${HOST}:${port}/status/418`];
  const cases: Record<string, string[]> = {
    teapot: curl(simple.port),
    http11: curl(simple.port, '--http1.1', '--tls-max', '1.2'),
    mutualWithCert: curl(mutual.port, '--cert', files.clientCert, '--key', files.clientKey),
    mutualNoCert: curl(mutual.port),
    missingCacert: ['--cacert', path.join(tmp, 'nope.pem'), `https://${HOST}:${simple.port}/`],
    badResolve: ['--resolve', `${HOST}:${simple.port}`, '--cacert', files.caChain, `https://${HOST}:${simple.port}/`],
  };
  // Two at a time: the machine has two cores, shared with other work.
  const queue = Object.entries(cases);
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift()) runs[next[0]] = await runProbe(next[1]);
  };
  await Promise.all([worker(), worker()]);
}, 240_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Exactly one line on stdout, a JSON object. */
function report(run: Run): Record<string, any> {
  const lines = run.stdout.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as Record<string, any>;
}

describe('npm run probe', () => {
  test('the doc curl: exit 0 and the fields of the observation (SG-S4)', () => {
    const run = runs.teapot!;
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const seen = report(run);
    expect(seen).toMatchObject({ outcome: 'response', status: 418, httpVersion: '2', alpn: 'h2', tlsVersion: 'TLSv1.3', alert: null, body: "I'm a teapot!" });
    expect(seen.peer.subject.CN).toBe(HOST);
    expect(seen.peer.issuer.CN).toBe(intermediateCN);
    expect(seen.peer.serialNumber).toBe(serial);
    expect(seen.peer.subjectAltNames).toEqual([`DNS:${HOST}`]);
    expect(seen.detail).toBe('HTTP/2 418');
  });

  test('--http1.1 --tls-max 1.2', () => {
    expect(runs.http11!.code).toBe(0);
    expect(report(runs.http11!)).toMatchObject({ outcome: 'response', status: 418, httpVersion: '1.1', alpn: 'http/1.1', tlsVersion: 'TLSv1.2' });
  });

  test('--cert/--key against MUTUAL: exit 0, and no key material printed (SG-M4)', () => {
    const run = runs.mutualWithCert!;
    expect(run.code).toBe(0);
    expect(report(run)).toMatchObject({ outcome: 'response', status: 418 });
    expect(run.stdout + run.stderr).not.toMatch(/PRIVATE KEY/);
  });

  test('MUTUAL without a cert: exit 1, the alert, null where nothing applies (SG-M3)', () => {
    const run = runs.mutualNoCert!;
    expect(run.code).toBe(1);
    const seen = report(run);
    expect(seen).toMatchObject({ outcome: 'tls-alert', alert: 'certificate_required', phase: 'first-read', status: null, httpVersion: null, alpn: null });
    expect(seen.peer.subject.CN).toBeNull();
    expect(seen.peer.serialNumber).toBeNull();
    expect(seen.detail).toMatch(/certificate required/);
  });

  test.each([
    ['missingCacert', /^error: --cacert .*nope\.pem: no such file\n$/],
    ['badResolve', /^error: --resolve ".*" is not host:port:address/],
  ])('a usage mistake (%s): exit 2, one line on stderr, nothing on stdout', (name, message) => {
    const run = runs[name]!;
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});
