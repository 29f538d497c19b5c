import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { describe, expect, test } from '@jest/globals';
import { caSecret, DOC_NAMES, gateway, serverSecret, virtualService } from './manifests';
import type { DocChain } from '../../helpers/pki';

const names = { ...DOC_NAMES, host: 'httpbin.example.com' };
const chain = { server: { certPem: 'CERT', keyPem: 'KEY' }, caChainPem: 'CHAIN' } as DocChain;

describe("the doc's objects", () => {
  test('file-mount: the Gateway is the doc verbatim, SIMPLE then MUTUAL', () => {
    const simple = gateway('file-mount', 'SIMPLE', names, 'networking.istio.io/v1alpha3') as never as { spec: unknown; metadata: unknown };
    expect(simple.metadata).toEqual({ name: 'httpbin-gateway', namespace: 'default' });
    expect(simple.spec).toEqual({
      selector: { istio: 'ingressgateway' },
      servers: [
        {
          port: { number: 443, name: 'https', protocol: 'HTTPS' },
          tls: { mode: 'SIMPLE', serverCertificate: '/etc/istio/ingressgateway-certs/tls.crt', privateKey: '/etc/istio/ingressgateway-certs/tls.key' },
          hosts: ['httpbin.example.com'],
        },
      ],
    });
    const mutual = gateway('file-mount', 'MUTUAL', names, 'networking.istio.io/v1') as never as { spec: { servers: Array<{ tls: unknown }> } };
    expect(mutual.spec.servers[0]!.tls).toEqual({
      mode: 'MUTUAL',
      serverCertificate: '/etc/istio/ingressgateway-certs/tls.crt',
      privateKey: '/etc/istio/ingressgateway-certs/tls.key',
      caCertificates: '/etc/istio/ingressgateway-ca-certs/ca-chain.cert.pem',
    });
  });

  test('sds: credentialName instead of file paths', () => {
    const mutual = gateway('sds', 'MUTUAL', names, 'networking.istio.io/v1') as never as { spec: { servers: Array<{ tls: unknown }> } };
    expect(mutual.spec.servers[0]!.tls).toEqual({ mode: 'MUTUAL', credentialName: 'httpbin-credential' });
  });

  test('the secrets carry the doc names and keys', () => {
    expect(serverSecret('file-mount', names, chain)).toMatchObject({
      metadata: { name: 'istio-ingressgateway-certs', namespace: 'istio-system' },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': Buffer.from('CERT').toString('base64'), 'tls.key': Buffer.from('KEY').toString('base64') },
    });
    expect(caSecret('file-mount', names, chain)).toMatchObject({
      metadata: { name: 'istio-ingressgateway-ca-certs', namespace: 'istio-system' },
      data: { 'ca-chain.cert.pem': Buffer.from('CHAIN').toString('base64') },
    });
    expect(caSecret('sds', names, chain)).toMatchObject({ metadata: { name: 'httpbin-credential-cacert' }, data: { cacert: Buffer.from('CHAIN').toString('base64') } });
  });

  test('the VirtualService routes /status and /delay to httpbin:8000', () => {
    expect((virtualService(names, 'networking.istio.io/v1') as never as { spec: unknown }).spec).toEqual({
      hosts: ['httpbin.example.com'],
      gateways: ['httpbin-gateway'],
      http: [{ match: [{ uri: { prefix: '/status' } }, { uri: { prefix: '/delay' } }], route: [{ destination: { port: { number: 8000 }, host: 'httpbin' } }] }],
    });
  });
  test("the twin's Istio tests apply the doc's objects as this catalogue holds them (twin/istio/testdata), and the invalid ones differ only in what they lack", () => {
    const names = { ...DOC_NAMES, host: 'httpbin.example.com' };
    const read = (file: string) => YAML.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'twin', 'istio', 'testdata', file), 'utf8')) as Record<string, any>;
    // The doc's YAML has no namespace: kubectl puts it in the default one, where manifests.ts puts it.
    const doc = (object: object): Record<string, any> => ({ ...object, metadata: { name: (object as Record<string, any>).metadata.name } });
    const simple = doc(gateway('file-mount', 'SIMPLE', names, 'networking.istio.io/v1alpha3'));
    const mutual = doc(gateway('file-mount', 'MUTUAL', names, 'networking.istio.io/v1alpha3'));
    expect(read('gateway-simple.yaml')).toEqual(simple);
    expect(read('gateway-mutual.yaml')).toEqual(mutual);
    expect(read('virtualservice.yaml')).toEqual(doc(virtualService(names, 'networking.istio.io/v1alpha3')));
    const without = (object: Record<string, any>, name: string, tls: Record<string, string>) => ({
      ...object,
      metadata: { name },
      spec: { ...object.spec, servers: [{ ...object.spec.servers[0], tls }] },
    });
    expect(read('gateway-simple-without-certificate.yaml')).toEqual(without(simple, 'simple-without-certificate', { mode: 'SIMPLE' }));
    const { caCertificates, ...mutualTls } = mutual.spec.servers[0].tls;
    expect(caCertificates).toBe('/etc/istio/ingressgateway-ca-certs/ca-chain.cert.pem');
    expect(read('gateway-mutual-without-ca.yaml')).toEqual(without(mutual, 'mutual-without-ca', mutualTls));
    const { tls, ...noTls } = simple.spec.servers[0];
    expect(tls).toBeDefined();
    expect(read('gateway-https-without-tls.yaml')).toEqual({ ...simple, metadata: { name: 'bad-gateway' }, spec: { ...simple.spec, servers: [noTls] } });
  });
});
