// The doc's curl as a second client, against real servers: Node's TLS servers and `openssl
// s_server`, classified from the real curl binary's exit code and error text.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import path from 'node:path';
import { certificateSummary, makeDocChain, writeDocLayout, type DocChain, type DocLayout } from '../pki';
import { tempDirs } from '../testing/temp-dirs';
import { alertName, classifyCurl, commonName, curlArguments, findCurl, runCurl, type CurlCliOptions } from './curl-cli';
import { closedPort, startNodeServer, startOpensslServer, startRawServer, type TestServer } from './test-servers';

const HOST = 'httpbin.example.com';
const hasCurl = findCurl() !== null;
const newTempDir = tempDirs();
const withCurl = hasCurl ? describe : describe.skip;

let chain: DocChain;
let layout: DocLayout;
let dir: string;

beforeAll(async () => {
  chain = await makeDocChain({ host: HOST });
  dir = newTempDir('igc-curl-test-');
  layout = await writeDocLayout(chain, dir);
}, 60_000);

const rel = (file: string) => path.relative(dir, file);
const options = (port: number, extra: Partial<CurlCliOptions> = {}): CurlCliOptions => ({ cwd: dir, host: HOST, port, address: '127.0.0.1', path: '/status/418', cacert: rel(layout.caChain), timeoutMs: 3_000, ...extra });
const serverOptions = () => ({ key: chain.server.keyPem, cert: chain.server.certPem + chain.intermediate.certPem });

describe('the command line is the doc\'s', () => {
  test('--resolve host:port:addr, --cacert, --cert/--key as relative paths, then the URL', () => {
    expect(curlArguments(options(31443, { cert: '4_client/certs/c.pem', key: '4_client/private/k.pem' }))).toEqual([
      '-v', '--resolve', `${HOST}:31443:127.0.0.1`, '--cacert', '2_intermediate/certs/ca-chain.cert.pem', '--cert', '4_client/certs/c.pem', '--key', '4_client/private/k.pem', `https://${HOST}:31443/status/418`,
    ]);
  });
});

describe('classification (pure)', () => {
  test("OpenSSL's alert texts in the RFC's names", () => {
    expect(alertName('OpenSSL SSL_read: OpenSSL/3.0.19: error:0A00045C:SSL routines::tlsv13 alert certificate required, errno 0')).toBe('certificate_required');
    expect(alertName('OpenSSL/3.0.19: error:0A000410:SSL routines::sslv3 alert handshake failure')).toBe('handshake_failure');
    expect(alertName('OpenSSL/3.0.19: error:0A000418:SSL routines::tlsv1 alert unknown ca')).toBe('unknown_ca');
    expect(alertName('Failed to connect to host port 1: Connection refused')).toBeNull();
  });

  test('exit codes without an alert', () => {
    const json = (exitcode: number, errormsg: string) => JSON.stringify({ exitcode, errormsg, http_code: 0, http_version: '0' });
    expect(classifyCurl(7, json(7, 'Failed to connect'), '').outcome).toBe('refused');
    expect(classifyCurl(28, json(28, 'Operation timed out'), '').outcome).toBe('timeout');
    expect(classifyCurl(60, json(60, 'SSL certificate problem: unable to get local issuer certificate'), '').outcome).toBe('untrusted');
    expect(classifyCurl(35, json(35, 'OpenSSL SSL_connect: Connection reset by peer'), '').outcome).toBe('reset');
    expect(classifyCurl(0, JSON.stringify({ exitcode: 0, http_code: 418, http_version: '2' }), '*  subject: C=US; O=Dis; CN=httpbin.example.com\n').outcome).toBe('response');
  });

  test('the CN of a curl subject line', () => {
    expect(commonName('C=US; ST=Denial; L=Springfield; O=Dis; CN=httpbin.example.com')).toBe(HOST);
    expect(commonName('O=Dis')).toBeNull();
  });
});

withCurl('the real curl against real servers', () => {
  const servers: TestServer[] = [];
  const keep = <T extends TestServer>(server: T) => (servers.push(server), server);
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
  });

  test('HTTP/2 418 with the teapot, and the peer as the doc shows it', async () => {
    const server = keep(await startNodeServer('http2', serverOptions()));
    const seen = await runCurl(options(server.port));
    expect(seen).toMatchObject({ outcome: 'response', status: 418, httpVersion: '2', exitCode: 0 });
    expect(seen.body).toMatch(/teapot/);
    expect(commonName(seen.peerSubject)).toBe(HOST);
    expect(commonName(seen.peerIssuer)).toBe(certificateSummary(chain.intermediate.certPem).subject.CN);
    expect(seen.commandLine).toBe(`curl -v --resolve ${HOST}:${server.port}:127.0.0.1 --cacert 2_intermediate/certs/ca-chain.cert.pem https://${HOST}:${server.port}/status/418`);
  });

  test('MUTUAL without a certificate: certificate_required (TLS 1.3), handshake_failure (TLS 1.2), from openssl s_server', async () => {
    const server = keep(await startOpensslServer(['-cert', layout.serverCert, '-key', layout.serverKey, '-cert_chain', layout.intermediateCert, '-CAfile', layout.caChain, '-Verify', '1', '-verify_return_error']));
    expect(await runCurl(options(server.port))).toMatchObject({ outcome: 'tls-alert', alert: 'certificate_required' });
    expect(await runCurl(options(server.port, { tlsMax: '1.2' }))).toMatchObject({ outcome: 'tls-alert', alert: 'handshake_failure' });
    const served = await runCurl(options(server.port, { cert: rel(layout.clientCert), key: rel(layout.clientKey) }));
    expect(served).toMatchObject({ exitCode: 0, outcome: 'response' });
  });

  test('a server the chain does not vouch for is untrusted, not a refusal', async () => {
    const other = await makeDocChain({ host: HOST, namePrefix: 'Other ' });
    const server = keep(await startNodeServer('http2', { key: other.server.keyPem, cert: other.server.certPem }));
    expect(await runCurl(options(server.port))).toMatchObject({ outcome: 'untrusted', exitCode: 60 });
  });

  test('a closed port is refused; a server that never answers is a timeout; a reset is a reset', async () => {
    expect((await runCurl(options(await closedPort()))).outcome).toBe('refused');
    const silent = keep(await startRawServer(() => undefined));
    expect((await runCurl(options(silent.port, { timeoutMs: 1_000 }))).outcome).toBe('timeout');
    const resetting = keep(await startRawServer((socket) => socket.once('data', () => socket.resetAndDestroy())));
    expect((await runCurl(options(resetting.port))).outcome).toBe('reset');
  });
});
