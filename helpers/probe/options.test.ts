import { describe, expect, test } from '@jest/globals';
import { UsageError } from '../config';
import { parseResolve, planProbe } from './options';

const base = { url: 'https://httpbin.example.com:31443/status/418', timeoutMs: 1_000 };

describe('parseResolve, as curl --resolve host:port:address', () => {
  test.each([
    ['httpbin.example.com:31443:127.0.0.1', { host: 'httpbin.example.com', port: 31443, address: '127.0.0.1' }],
    ['httpbin.example.com:443:[::1]', { host: 'httpbin.example.com', port: 443, address: '::1' }],
    ['httpbin.example.com:443:fd00::2', { host: 'httpbin.example.com', port: 443, address: 'fd00::2' }],
  ])('%s', (text, expected) => {
    expect(parseResolve(text)).toEqual(expected);
  });

  test.each(['httpbin.example.com:31443', 'httpbin.example.com:0:127.0.0.1', 'httpbin.example.com:70000:127.0.0.1', 'httpbin.example.com:443:gateway.local', ':443:127.0.0.1'])(
    'refuses %s with one line',
    (text) => {
      expect(() => parseResolve(text)).toThrow(UsageError);
    },
  );
});

describe('planProbe', () => {
  test('SNI and the verified name are the URL host; resolve gives the address for that host:port', () => {
    const plan = planProbe({ ...base, resolve: { host: 'HTTPBIN.example.com', port: 31443, address: '10.0.0.2' } });
    expect(plan).toMatchObject({ host: 'httpbin.example.com', port: 31443, servername: 'httpbin.example.com', resolvedAddress: '10.0.0.2' });
    expect(plan.alpn).toEqual(['h2', 'http/1.1']);
  });

  test('resolve for another port (or host) is not used, as curl', () => {
    expect(planProbe({ ...base, resolve: { host: 'httpbin.example.com', port: 443, address: '10.0.0.2' } }).resolvedAddress).toBeUndefined();
    expect(planProbe({ ...base, resolve: { host: 'other.example.com', port: 31443, address: '10.0.0.2' } }).resolvedAddress).toBeUndefined();
  });

  test('an IP URL sends no SNI; the port defaults to 443', () => {
    expect(planProbe({ url: 'https://[::1]/', timeoutMs: 1 })).toMatchObject({ host: '::1', port: 443, servername: undefined });
  });

  test.each([
    [{ url: 'http://httpbin.example.com/' }, /not https/],
    [{ url: 'httpbin.example.com' }, /is not a URL/],
    [{ cert: 'x' }, /give both --cert and --key/],
    [{ tlsMin: '1.3', tlsMax: '1.2' }, /TLS min 1\.3 is above TLS max 1\.2/],
    [{ alpn: [] }, /ALPN/],
    [{ timeoutMs: 0 }, /timeoutMs 0/],
    [{ ca: 'not a certificate' }, /^the CA file: expected CA certificates \(PEM\), but it holds no PEM block$/],
    [{ cert: 'x', key: 'y' }, /^the client certificate: expected a client certificate \(PEM\), but it holds no PEM block$/],
  ] as const)('refuses %j', (options, message) => {
    expect(() => planProbe({ ...base, ...options } as never)).toThrow(UsageError);
    expect(() => planProbe({ ...base, ...options } as never)).toThrow(message);
  });
});
