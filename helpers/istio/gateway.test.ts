import { describe, expect, test } from '@jest/globals';
import { describeMounts, gatewayFacts, secretMounts, type Deployment } from './gateway';

// istioctl's gateway chart: istio-proxy in the template, the doc's two secrets mounted (optional).
const istioctlGateway: Deployment = {
  metadata: { namespace: 'istio-system', name: 'istio-ingressgateway' },
  spec: {
    template: {
      metadata: { labels: { app: 'istio-ingressgateway', istio: 'ingressgateway', 'istio.io/rev': 'default' } },
      spec: {
        containers: [
          {
            name: 'istio-proxy',
            env: [{ name: 'CA_ADDR', value: 'istiod.istio-system.svc:15012' }],
            volumeMounts: [
              { name: 'ingressgateway-certs', mountPath: '/etc/istio/ingressgateway-certs' },
              { name: 'ingressgateway-ca-certs', mountPath: '/etc/istio/ingressgateway-ca-certs' },
            ],
          },
        ],
        volumes: [
          { name: 'ingressgateway-certs', secret: { secretName: 'istio-ingressgateway-certs' } },
          { name: 'ingressgateway-ca-certs', secret: { secretName: 'istio-ingressgateway-ca-certs' } },
        ],
      },
    },
  },
};

// The Helm gateway chart: an injected istio-proxy (image auto), no secret volumes.
const helmGateway: Deployment = {
  metadata: { namespace: 'istio-ingress', name: 'istio-ingress' },
  spec: {
    template: {
      metadata: { labels: { app: 'istio-ingress', istio: 'ingress', 'istio.io/rev': '1-30-4' } },
      spec: { containers: [{ name: 'istio-proxy' }] },
    },
  },
};

const service = (namespace: string, name: string, selector: Record<string, string>) => ({ metadata: { namespace, name }, spec: { selector } });

describe('secretMounts', () => {
  test("istioctl's gateway mounts both of the doc's secrets", () => {
    expect(secretMounts(istioctlGateway)).toEqual({ certs: true, caCerts: true });
  });
  test('the Helm gateway chart mounts neither', () => {
    expect(secretMounts(helmGateway)).toEqual({ certs: false, caCerts: false });
    expect(secretMounts(undefined)).toEqual({ certs: false, caCerts: false });
  });
  test('a volume that is not mounted at the doc\'s path does not count', () => {
    const moved = structuredClone(istioctlGateway);
    moved.spec!.template!.spec!.containers![0]!.volumeMounts![1]!.mountPath = '/etc/elsewhere';
    expect(secretMounts(moved)).toEqual({ certs: true, caCerts: false });
    expect(describeMounts({ namespace: 'istio-system', service: 'istio-ingressgateway', deployment: 'istio-system/istio-ingressgateway', mounts: secretMounts(moved) })).toBe(
      'istio-system/istio-ingressgateway mounts istio-ingressgateway-certs but not istio-ingressgateway-ca-certs',
    );
  });
});

describe('gatewayFacts', () => {
  test('the selector, the Deployment behind the Service, its revision and mounts', () => {
    expect(gatewayFacts(service('istio-ingress', 'istio-ingress', { app: 'istio-ingress', istio: 'ingress' }), [istioctlGateway, helmGateway])).toEqual({
      namespace: 'istio-ingress',
      service: 'istio-ingress',
      selector: 'ingress',
      deployment: 'istio-ingress/istio-ingress',
      revision: '1-30-4',
      mounts: { certs: false, caCerts: false },
    });
  });
  test("istioctl's gateway names its control plane (CA_ADDR); an injected one does not until its pods exist", () => {
    expect(gatewayFacts(service('istio-system', 'istio-ingressgateway', { app: 'istio-ingressgateway', istio: 'ingressgateway' }), [istioctlGateway])?.controlPlaneAddress).toBe('istiod.istio-system.svc:15012');
    expect(gatewayFacts(service('istio-ingress', 'istio-ingress', { app: 'istio-ingress', istio: 'ingress' }), [helmGateway])).not.toHaveProperty('controlPlaneAddress');
  });
  test("istiod's Service selects istio=pilot pods, which run no istio-proxy: no gateway Deployment behind it", () => {
    const istiod: Deployment = { metadata: { namespace: 'istio-system', name: 'istiod' }, spec: { template: { metadata: { labels: { app: 'istiod', istio: 'pilot' } }, spec: { containers: [{ name: 'discovery' }] } } } };
    expect(gatewayFacts(service('istio-system', 'istiod', { app: 'istiod', istio: 'pilot' }), [istiod])?.deployment).toBeUndefined();
  });
  test('a Service that selects no istio label (a Gateway API gateway) is not one the doc can drive', () => {
    expect(gatewayFacts(service('default', 'web-istio', { 'gateway.networking.k8s.io/gateway-name': 'web' }), [])).toBeUndefined();
  });
});
