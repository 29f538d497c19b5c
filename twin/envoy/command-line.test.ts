// Envoy's command line as pilot-agent writes it, and the bootstrap it points to.
import { describe, expect, test } from '@jest/globals';
import { loadBootstrap } from './bootstrap';
import { CommandLineError, parseCommandLine, versionText } from './command-line';
import { gatewayBootstrap, pilotAgentArgs } from './testing/istio-gateway';

describe('command line', () => {
  test("pilot-agent's flags (pkg/envoy/proxy.go)", () => {
    const line = parseCommandLine([...pilotAgentArgs('/etc/istio/proxy/envoy-rev.json'), '--concurrency', '2']);
    expect(line).toMatchObject({
      configPath: '/etc/istio/proxy/envoy-rev.json',
      drainTimeSeconds: 45,
      drainStrategy: 'immediate',
      localAddressIpVersion: 'v4',
      allowUnknownStaticFields: true,
      logLevel: 'warning',
      componentLogLevel: 'misc:error',
      concurrency: 2,
      version: false,
      ignored: [],
    });
  });

  test('an unknown flag is never fatal', () => {
    const line = parseCommandLine(['-c', 'b.json', '--some-future-flag', '--another', 'value', '-l', 'debug']);
    expect(line.configPath).toBe('b.json');
    expect(line.logLevel).toBe('debug');
    expect(line.ignored).toEqual(expect.arrayContaining(['--some-future-flag']));
  });

  test('bad values of known flags are errors', () => {
    expect(() => parseCommandLine(['--local-address-ip-version', 'v5'])).toThrow(CommandLineError);
    expect(() => parseCommandLine(['--drain-time-s', 'soon'])).toThrow(/drain-time-s/);
  });

  test('--version prints an Envoy version line', () => {
    expect(parseCommandLine(['--version']).version).toBe(true);
    expect(versionText()).toMatch(/^\nenvoy {2}version: [0-9a-f]{40}\/1\.\d+\.\d+\/Clean\/RELEASE\/BoringSSL\n\n$/);
  });
});

describe('bootstrap', () => {
  const shape = { xdsPath: './etc/istio/proxy/XDS', sdsPath: './var/run/secrets/workload-spiffe-uds/socket', apiType: 'DELTA_GRPC' as const, statusPort: 15020 };
  const files = (content: Record<string, string>) => (path: string) => {
    if (!(path in content)) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
    return content[path]!;
  };

  test("pilot-agent's bootstrap: node, admin, static clusters and listeners, ADS", () => {
    const bootstrap = loadBootstrap(parseCommandLine(pilotAgentArgs('envoy-rev.json')), files({ 'envoy-rev.json': JSON.stringify(gatewayBootstrap(shape)) }));
    expect(bootstrap.node.id).toMatch(/^router~/);
    expect(bootstrap.adminAddress).toEqual({ kind: 'socket', host: '127.0.0.1', port: 15000 });
    expect(bootstrap.staticClusters.map((cluster) => cluster.name)).toEqual(['prometheus_stats', 'agent', 'sds-grpc', 'xds-grpc']);
    expect(bootstrap.staticListeners.map((listener) => listener.name)).toEqual(['0.0.0.0_15090', '0.0.0.0_15021']);
    expect(bootstrap.adsConfig).toMatchObject({ api_type: 'DELTA_GRPC', grpc_services: [{ envoy_grpc: { cluster_name: 'xds-grpc' } }] });
    expect(bootstrap.logFormat).toEqual({ text: '%Y-%m-%dT%T.%fZ\t%l\tenvoy %n %g:%#\t%v\tthread=%t' });
  });

  test('YAML, --config-yaml merged over it, command-line node overrides', () => {
    const line = parseCommandLine(['-c', 'b.yaml', '--config-yaml', '{"node":{"metadata":{"B":"2"}}}', '--service-cluster', 'c1']);
    const bootstrap = loadBootstrap(line, files({ 'b.yaml': 'node:\n  id: n1\n  metadata: {A: "1"}\nadmin:\n  address:\n    pipe: {path: /tmp/admin.sock}\n' }));
    expect(bootstrap.node).toEqual({ id: 'n1', cluster: 'c1', metadata: { A: '1', B: '2' } });
    expect(bootstrap.adminAddress).toEqual({ kind: 'pipe', path: '/tmp/admin.sock', mode: null });
  });

  test('unknown fields fail unless --allow-unknown-static-fields; a missing file names itself', () => {
    const content = files({ 'b.json': '{"node":{"id":"n"},"futureField":1}' });
    expect(() => loadBootstrap(parseCommandLine(['-c', 'b.json']), content)).toThrow(/unknown fields: Bootstrap.futureField/);
    expect(loadBootstrap(parseCommandLine(['-c', 'b.json', '--allow-unknown-static-fields']), content).unknownFields).toEqual(['Bootstrap.futureField']);
    expect(() => loadBootstrap(parseCommandLine(['-c', 'nope.json']), content)).toThrow('unable to read file: nope.json: ENOENT');
  });
});
