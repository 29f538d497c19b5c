// The doc's curl as a second client, against real servers: Node's TLS servers and `openssl
// s_server`, classified from the real curl binary's exit code and error text.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import path from 'node:path';
import { certificateSummary, makeDocChain, writeDocLayout, type DocChain, type DocLayout } from '../pki';
import { tempDirs } from '../testing/temp-dirs';
import { alertName, classifyCurl, commonName, curlArguments, findCurl, renderCurl, runCurl, spawnCollect, type CurlCliOptions } from './curl-cli';
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

describe('classification of what curl printed, rendering, finding curl (pure)', () => {
  // curl 7.88's own lines (Debian 12) for each failure, as `-w '%{json}'` and stderr show them.
  test('without a write-out (killed, or a curl without %{json}) the last "curl: (N)" line is the error', () => {
    const stderr = '* processing: https://httpbin.example.com:31443/\n*   Trying 127.0.0.1:31443...\ncurl: (6) first\ncurl: (56) OpenSSL SSL_read: OpenSSL/3.0.19: error:0A00045C:SSL routines::tlsv13 alert certificate required, errno 0\n';
    expect(classifyCurl(56, '', stderr)).toEqual({
      client: 'curl',
      outcome: 'tls-alert',
      exitCode: 56,
      error: 'OpenSSL SSL_read: OpenSSL/3.0.19: error:0A00045C:SSL routines::tlsv13 alert certificate required, errno 0',
      status: null,
      httpVersion: null,
      alert: 'certificate_required',
      peerSubject: null,
      peerIssuer: null,
    });
    expect(classifyCurl(7, 'not json', 'curl: (7) Failed to connect to httpbin.example.com port 1 after 0 ms: Couldn\'t connect to server\n')).toMatchObject({ outcome: 'refused', error: "Failed to connect to httpbin.example.com port 1 after 0 ms: Couldn't connect to server" });
    expect(classifyCurl(7, '', '* Trying\n')).toMatchObject({ outcome: 'refused', error: '' });
  });

  test('each exit code in the probe\'s terms; an unknown one is other', () => {
    const json = (exitcode: number) => JSON.stringify({ exitcode, errormsg: null, http_code: 0, http_version: '0' });
    expect(classifyCurl(6, json(6), '').outcome).toBe('dns');
    expect(classifyCurl(52, json(52), '').outcome).toBe('reset');
    expect(classifyCurl(56, json(56), '').outcome).toBe('reset');
    expect(classifyCurl(77, json(77), '')).toMatchObject({ outcome: 'other', status: null, httpVersion: null, error: '' });
  });

  test('a response needs exit 0 and a status; the verbose subject and issuer are read', () => {
    const stderr = '*  subject: C=US; O=Dis; CN=httpbin.example.com\n*  issuer: C=US; O=Dis; CN=httpbin.example.com Intermediate CA\n';
    expect(classifyCurl(0, JSON.stringify({ exitcode: 0, http_code: 418, http_version: '1.1' }), stderr)).toMatchObject({
      outcome: 'response',
      status: 418,
      httpVersion: '1.1',
      peerSubject: 'C=US; O=Dis; CN=httpbin.example.com',
      peerIssuer: 'C=US; O=Dis; CN=httpbin.example.com Intermediate CA',
    });
    expect(classifyCurl(0, JSON.stringify({ exitcode: 0, http_code: 0, http_version: '0' }), '').outcome).toBe('other');
  });

  test('renderCurl: one line', () => {
    const seen = { client: 'curl', exitCode: 0, error: '', status: 418, httpVersion: '2', alert: null, peerSubject: 'CN=httpbin.example.com', peerIssuer: null, body: '', elapsedMs: 1, commandLine: 'curl' } as const;
    expect(renderCurl({ ...seen, outcome: 'response' })).toBe('curl: HTTP/2 418 (peer CN=httpbin.example.com)');
    expect(renderCurl({ ...seen, outcome: 'response', httpVersion: null, peerSubject: null })).toBe('curl: HTTP/? 418 (peer unknown)');
    expect(renderCurl({ ...seen, outcome: 'tls-alert', exitCode: 56, alert: 'certificate_required', error: 'tlsv13 alert certificate required' })).toBe('curl: tls-alert, alert certificate_required (exit 56: tlsv13 alert certificate required)');
    expect(renderCurl({ ...seen, outcome: 'timeout', exitCode: 28, status: null })).toBe('curl: timeout (exit 28: no message)');
  });

  test('findCurl: a path is taken as given if executable; a name is looked up on PATH', () => {
    const here = path.dirname(process.execPath);
    expect(findCurl(process.execPath)).toBe(process.execPath);
    expect(findCurl(path.join(here, 'no-such-binary'))).toBeNull();
    expect(findCurl(path.basename(process.execPath), { PATH: ['/nonexistent', here].join(path.delimiter) })).toBe(process.execPath);
    expect(findCurl('node', { PATH: '' })).toBeNull();
    expect(findCurl('node', {})).toBeNull();
  });

  test('spawnCollect: exit code and both outputs; a binary that does not exist rejects', async () => {
    await expect(spawnCollect(process.execPath, ['-e', 'process.stdout.write("out"); process.stderr.write("err"); process.exit(3)'])).resolves.toEqual({ code: 3, stdout: 'out', stderr: 'err' });
    await expect(spawnCollect('/nonexistent/curl', [])).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('the optional flags, in the doc\'s order', () => {
    expect(curlArguments(options(443, { tlsMax: '1.2' }))).toEqual(['-v', '--resolve', `${HOST}:443:127.0.0.1`, '--cacert', '2_intermediate/certs/ca-chain.cert.pem', '--tls-max', '1.2', `https://${HOST}:443/status/418`]);
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
