// The steps no twin fault reaches first, seen failing against real servers broken in their way:
// the doc's own curl (SG-S4-curl, SG-M3-curl, SG-M4-curl: the machine's real curl against Node
// TLS servers), the held HTTP/2 connection (SG-S6) and the doc's macOS curl check (SG-B3, SG-T6:
// this machine's real curl is not built with LibreSSL). Each test runs the catalogue's own step.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { issueCertificate, makeDocChain, writeDocLayout, type DocChain, type DocLayout } from '../../../helpers/pki';
import { findCurl } from '../../../helpers/probe/curl-cli';
import { startNodeServer, type TestServer } from '../../../helpers/probe/test-servers';
import { StepFailure, stepHandle, type StepDefinition } from '../../runtime/step';
import type { SecureGatewaysContext } from '../context';
import { curlBuildStep, docCurlSimple, docCurlWithCertificate, docCurlWithoutCertificate } from './doc-curl';
import { drainSteps } from './drain';

const HOST = 'httpbin.example.com';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'igc-seen-failing-'));
let chain: DocChain;
let layout: DocLayout;
const servers: TestServer[] = [];

beforeAll(async () => {
  chain = await makeDocChain({ host: HOST });
  layout = await writeDocLayout(chain, work);
}, 30_000);
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  fs.rmSync(work, { recursive: true, force: true });
});

/** The fields these steps read, pointed at a server on 127.0.0.1 (short budgets: a failure is expected). */
function contextFor(port: number): SecureGatewaysContext {
  return {
    chain,
    layout,
    certDir: work,
    ingress: { address: '127.0.0.1', port, source: 'override' },
    names: { host: HOST },
    settings: {},
    budgets: { requestMs: 2_000, waitMs: 1_500, converge: 1 },
  } as unknown as SecureGatewaysContext;
}

async function server(kind: 'https' | 'http2', options: Parameters<typeof startNodeServer>[1]): Promise<number> {
  const started = await startNodeServer(kind, options);
  servers.push(started);
  return started.port;
}

/** The doc's server certificate (with the intermediate), as the gateway serves it. */
const docServer = () => ({ cert: chain.server.certPem + chain.intermediate.certPem, key: chain.server.keyPem });

async function failure(step: StepDefinition<SecureGatewaysContext>, context: SecureGatewaysContext): Promise<StepFailure> {
  const error = await step.run(context, stepHandle(step.id)).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(StepFailure);
  return error as StepFailure;
}

const withCurl = findCurl() ? describe : describe.skip;

withCurl("the doc's own curl", () => {
  test('SG-S4-curl fails when the server certificate does not chain to ca-chain.cert.pem', async () => {
    const stranger = await issueCertificate({ subject: { CN: HOST }, dnsNames: [HOST], extendedKeyUsage: ['serverAuth'], keyType: 'rsa' });
    const port = await server('http2', { cert: stranger.certPem, key: stranger.keyPem });
    const failed = await failure(docCurlSimple, contextFor(port));
    expect(failed.observed).toMatch(/tls|certificate|verify/i);
    expect(failed.observed).not.toMatch(/HTTP\/2 418/);
  });

  test('SG-M3-curl fails when the server answers without asking for a client certificate', async () => {
    const port = await server('http2', docServer());
    const failed = await failure(docCurlWithoutCertificate, contextFor(port));
    expect(failed.observed).toMatch(/418/);
  });

  test("SG-M4-curl fails when the server refuses the doc's client certificate (it trusts another CA)", async () => {
    const otherCa = await issueCertificate({ subject: { CN: 'another CA' }, ca: {}, keyType: 'rsa' });
    const port = await server('http2', { ...docServer(), requestCert: true, rejectUnauthorized: true, ca: otherCa.certPem });
    const failed = await failure(docCurlWithCertificate, contextFor(port));
    // Node refuses the certificate after a TLS 1.3 handshake: curl sees the connection end (exit 55/56).
    expect(failed.observed).toMatch(/^curl: .*exit \d+/);
    expect(failed.observed).not.toMatch(/HTTP\/2 418/);
  });
});

describe('SG-S6', () => {
  test('fails against a gateway that does not speak HTTP/2 (the held connection needs ALPN h2)', async () => {
    const port = await server('https', docServer());
    const failed = await failure(drainSteps[0]!, contextFor(port));
    expect(failed.stepId).toBe('SG-S6');
  });
});

withCurl("SG-B3 and SG-T6, the doc's macOS check", () => {
  test.each(['SG-B3', 'SG-T6'])("%s fails for a curl not built with LibreSSL (this machine's, run as if on macOS)", async (id) => {
    const step = curlBuildStep({ id, title: 'macOS: curl built with LibreSSL' }, 'darwin');
    expect(step.notApplicable?.(contextFor(1))).toBeUndefined();
    const failed = await failure(step, contextFor(1));
    expect(failed.observed).toMatch(/^curl --version says "curl .*OpenSSL/);
  });
});
