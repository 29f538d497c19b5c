import { describe, expect, test } from '@jest/globals';
import net from 'node:net';
import { ApiException } from '@kubernetes/client-node';
import { hasReason, HttpFailure, KubeApiError, NotServedError, toKubeError, type ApiStatus } from './errors';

const gateway = { kind: 'Gateway', namespace: 'istio-system', name: 'httpbin-gateway' };

// A Status as kube-apiserver sends it for a CRD schema violation.
const invalid: ApiStatus = {
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  message: 'Gateway.networking.istio.io "httpbin-gateway" is invalid: [spec.servers[0].tls.mode: Unsupported value: "SIMPEL": supported values: "PASSTHROUGH", "SIMPLE", spec.servers[0].port: Required value]',
  reason: 'Invalid',
  details: {
    name: 'httpbin-gateway',
    group: 'networking.istio.io',
    kind: 'Gateway',
    causes: [
      { reason: 'FieldValueNotSupported', message: 'Unsupported value: "SIMPEL": supported values: "PASSTHROUGH", "SIMPLE"', field: 'spec.servers[0].tls.mode' },
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.servers[0].port' },
    ],
  },
  code: 422,
};

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('toKubeError', () => {
  test('Invalid names the verb, the object, the code, the reason and each field cause on one line', () => {
    const error = toKubeError('create', gateway, new HttpFailure(422, invalid));
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error.message).toBe(
      'create Gateway istio-system/httpbin-gateway: 422 Invalid: spec.servers[0].tls.mode: Unsupported value: "SIMPEL": supported values: "PASSTHROUGH", "SIMPLE"; spec.servers[0].port: Required value',
    );
    expect(error.message).not.toContain('\n');
    expect(error.status).toBe(invalid);
    expect(error.code).toBe(422);
    expect(hasReason(error, 'Invalid')).toBe(true);
    expect(hasReason(error, 'NotFound', 'Conflict')).toBe(false);
  });

  test('other reasons keep the server message; a multi-line message becomes one line', () => {
    const notFound = toKubeError('get', gateway, new HttpFailure(404, { kind: 'Status', reason: 'NotFound', code: 404, message: 'gateways.networking.istio.io "httpbin-gateway" not found' }));
    expect(notFound.message).toBe('get Gateway istio-system/httpbin-gateway: 404 NotFound: gateways.networking.istio.io "httpbin-gateway" not found');
    const webhook = toKubeError('apply', gateway, new HttpFailure(400, { kind: 'Status', code: 400, message: 'admission webhook "validation.istio.io" denied the request:\nconfiguration is invalid:\n  tls: no certificate' }));
    expect(webhook.message).toBe('apply Gateway istio-system/httpbin-gateway: 400 BadRequest: admission webhook "validation.istio.io" denied the request: configuration is invalid: tls: no certificate');
  });

  test('a body that is not a Status still gives the code and a reason', () => {
    expect(toKubeError('get', { kind: 'Namespace', name: 'demo' }, new HttpFailure(503, '')).message).toBe(
      'get Namespace demo: 503 ServiceUnavailable: the API server answered HTTP 503 without a Status',
    );
    expect(toKubeError('get', { kind: 'Namespace', name: 'demo' }, new HttpFailure(502, 'Bad Gateway\n')).message).toBe('get Namespace demo: 502 HTTP502: Bad Gateway');
  });

  test("client-node's own ApiException (its discovery requests) is read the same way", () => {
    const error = toKubeError('get', gateway, new ApiException(403, 'Unsuccessful HTTP Request', JSON.stringify({ kind: 'Status', code: 403, reason: 'Forbidden', message: 'forbidden: User "x" cannot get path "/apis"' }), {}));
    expect(error.message).toBe('get Gateway istio-system/httpbin-gateway: 403 Forbidden: forbidden: User "x" cannot get path "/apis"');
  });

  test('the rejected values of a Secret are never shown', () => {
    const status: ApiStatus = {
      reason: 'Invalid',
      code: 422,
      details: { causes: [{ field: 'data[tls.key]', message: 'Invalid value: "-----BEGIN PRIVATE' + ' KEY-----\\nMIIE\\"x": bad' }] },
    };
    const error = toKubeError('create', { kind: 'Secret', namespace: 'istio-system', name: 'istio-ingressgateway-certs' }, new HttpFailure(422, status));
    expect(error.message).toBe('create Secret istio-system/istio-ingressgateway-certs: 422 Invalid: data[tls.key]: Invalid value: <redacted>: bad');
    // Other kinds keep the value: it is what tells the user the typo.
    expect(toKubeError('create', gateway, new HttpFailure(422, status)).message).toContain('BEGIN');
  });

  test('a closed port gives one line naming the server, without a stack of causes', async () => {
    const port = await closedPort();
    const thrown = await fetch(`http://127.0.0.1:${port}/version`).catch((error: unknown) => error);
    const error = toKubeError('get', gateway, thrown, `https://127.0.0.1:${port}`);
    expect(error.reason).toBe('Unreachable');
    expect(error.code).toBeUndefined();
    expect(error.message).toBe(`get Gateway istio-system/httpbin-gateway: Unreachable: cannot reach the API server https://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  test('an aborted request is a Timeout; an unknown kind is NotServed', () => {
    const timeout = toKubeError('list', { kind: 'Pod', namespace: 'default' }, new DOMException('The operation was aborted due to timeout', 'TimeoutError'), 'https://10.0.0.1:6443');
    expect(timeout.message).toBe('list Pod default: Timeout: the API server https://10.0.0.1:6443 did not answer in time');
    const notServed = toKubeError('apply', gateway, new NotServedError('the API server does not serve networking.istio.io/v1 (is the CRD or API group installed?)'));
    expect(notServed.reason).toBe('NotServed');
    expect(notServed.message).toBe('apply Gateway istio-system/httpbin-gateway: NotServed: the API server does not serve networking.istio.io/v1 (is the CRD or API group installed?)');
  });
});
