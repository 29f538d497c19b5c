// Lines as the twin's gateway wrote them (pilot-agent at Istio 1.31-dev, and the stand-in's Envoy lines).
import { describe, expect, test } from '@jest/globals';
import { gatewayLogErrors, logLineText } from './gateway-log';

const ROOT = 'file-root:/etc/istio/ingressgateway-ca-certs/ca-chain.cert.pem';
const waitError = `2026-11-27T23:47:11.223674Z\terror\tcache\tresource:${ROOT} failed to generate secret for proxy from file: context deadline exceeded with last error: open /etc/istio/ingressgateway-ca-certs/ca-chain.cert.pem: no such file or directory`;
const streamClosed = `2026-11-27T23:47:11.251000Z\twarning\tenvoy config source/extensions/config_subscription/grpc/grpc_stream.h:193\tStreamSecrets gRPC config stream to sds-grpc closed: 2, failed to generate secret for ${ROOT}: context deadline exceeded with last error: open /etc/istio/ingressgateway-ca-certs/ca-chain.cert.pem: no such file or directory`;
const readRoot = `2026-11-27T23:47:11.462931Z\tinfo\tcache\tread certificate from file\tresource=${ROOT}`;
const readCert = '2026-11-27T23:47:05.956428Z\tinfo\tcache\tread certificate from file\tresource=file-cert:/etc/istio/ingressgateway-certs/tls.crt~/etc/istio/ingressgateway-certs/tls.key';
const nack =
  '[2026-11-27 23:47:24.389][15][warning][config] [source/extensions/config_subscription/grpc/grpc_mux_impl.cc:372] gRPC config for type.googleapis.com/envoy.config.listener.v3.Listener rejected: Error adding/updating listener(s) 0.0.0.0_8443: Failed to load certificate chain from <inline>';

describe('SG-T5 reading of the gateway log', () => {
  test('a file not there yet, read once it appeared, is a resolved wait', () => {
    expect(gatewayLogErrors([readCert, waitError, streamClosed, readRoot].join('\n'))).toEqual({ errors: [], resolvedWaits: [waitError, streamClosed] });
  });

  test('the same error with no later read of that file is an error', () => {
    expect(gatewayLogErrors([readRoot, waitError, streamClosed].join('\n')).errors).toEqual([waitError, streamClosed]);
    // A read of another resource does not resolve it.
    expect(gatewayLogErrors([waitError, readCert].join('\n')).errors).toEqual([waitError]);
  });

  test('a rejected config and a bad certificate are errors whatever follows', () => {
    expect(gatewayLogErrors([nack, readRoot].join('\n')).errors).toEqual([nack]);
    const unparsable = waitError.replace('open /etc/istio/ingressgateway-ca-certs/ca-chain.cert.pem: no such file or directory', 'failed to parse certificate');
    expect(gatewayLogErrors([unparsable, readRoot].join('\n')).errors).toEqual([unparsable]);
  });

  test('other noise is not a failure', () => {
    expect(gatewayLogErrors('2026-11-27T23:18:13.934498Z\tinfo\tEnvoy proxy is ready\n').errors).toEqual([]);
  });

  // global.logAsJson: the same events as pilot-agent's zap JSON and Envoy's json_format write them.
  describe('JSON logs (global.logAsJson)', () => {
    const json = (entry: Record<string, string>) => JSON.stringify(entry);
    const jsonWait = json({ level: 'error', time: '2026-11-27T23:47:11.223674Z', scope: 'cache', msg: `resource:${ROOT} failed to generate secret for proxy from file: context deadline exceeded with last error: open /etc/istio/ingressgateway-ca-certs/ca-chain.cert.pem: no such file or directory` });
    const jsonStreamClosed = json({
      time: '2026-11-27T23:47:11.251000Z',
      level: 'warning',
      scope: 'envoy config',
      msg: `StreamSecrets gRPC config stream to sds-grpc closed: 2, failed to generate secret for ${ROOT}: context deadline exceeded with last error: open /etc/istio/ingressgateway-ca-certs/ca-chain.cert.pem: no such file or directory`,
      caller: 'grpc_stream.h:193',
      thread: '15',
    });
    const jsonRead = json({ level: 'info', time: '2026-11-27T23:47:11.462931Z', scope: 'cache', msg: 'read certificate from file', resource: ROOT });
    const jsonNack = json({ time: '2026-11-27T23:47:24.389000Z', level: 'warning', scope: 'envoy config', msg: nack.replace(/^.*?\] \[[^\]]+\] /, ''), caller: 'grpc_mux_impl.cc:372', thread: '15' });

    test('a wait that resolved is read from the JSON lines as from the text ones', () => {
      expect(gatewayLogErrors([jsonWait, jsonStreamClosed, jsonRead].join('\n'))).toEqual({ errors: [], resolvedWaits: [jsonWait, jsonStreamClosed] });
    });

    test('an error without a later read, and a rejected config, are errors (reported as the lines were written)', () => {
      expect(gatewayLogErrors([jsonRead, jsonWait, jsonNack].join('\n')).errors).toEqual([jsonWait, jsonNack]);
    });

    test('a JSON line becomes the text format; anything else is left as it is', () => {
      expect(logLineText(jsonRead)).toBe(`2026-11-27T23:47:11.462931Z\tinfo\tcache\tread certificate from file\tresource=${ROOT}`);
      expect(logLineText('{not json')).toBe('{not json');
      expect(logLineText(readCert)).toBe(readCert);
    });
  });
});
