import { describe, expect, test } from '@jest/globals';
import type { V1ConfigMap, V1Container, V1Pod, V1Secret, V1Service } from '@kubernetes/client-node';
import { ContainerConfigError, containerEnv, expand, expandArgv, serviceEnv, type ObjectLookup } from './env';
import { parseQuantity } from './quantity';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const secrets: Record<string, V1Secret> = { 'ns/creds': { data: { user: b64('admin'), pass: b64('s3cret') } } };
const configMaps: Record<string, V1ConfigMap> = { 'ns/settings': { data: { level: 'debug', 'bad key': 'x' } } };
const lookup: ObjectLookup = {
  secret: (ns, name) => secrets[`${ns}/${name}`],
  configMap: (ns, name) => configMaps[`${ns}/${name}`],
};
const service = (namespace: string, name: string, clusterIP: string, ports: { name?: string; port: number; protocol?: string }[]): V1Service => ({
  metadata: { namespace, name },
  spec: { clusterIP, ports },
});
const services = [
  service('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443 }]),
  service('ns', 'httpbin', '10.96.3.4', [{ name: 'http', port: 8000 }]),
  service('ns', 'headless', 'None', [{ port: 80 }]),
  service('other', 'elsewhere', '10.96.9.9', [{ port: 80 }]),
];

function pod(container: Partial<V1Container>, extra: Partial<V1Pod['spec']> = {}): { pod: V1Pod; container: V1Container } {
  const c: V1Container = { name: 'main', image: 'busybox', ...container };
  return {
    pod: {
      metadata: { name: 'p-1', namespace: 'ns', uid: 'u-1', labels: { app: 'x' }, annotations: { note: 'n' } },
      spec: { nodeName: 'twin-node', serviceAccountName: 'sa', containers: [c], ...extra },
    },
    container: c,
  };
}
const facts = { podIP: '10.244.0.7', hostIP: '10.250.1.2', nodeAllocatable: { cpu: '32', memory: '256Gi' } };

describe('expand', () => {
  const vars: Record<string, string> = { A: 'x', B: 'y' };
  test.each([
    ['$(A)-$(B)', 'x-y'],
    ['$$(A)', '$(A)'],
    ['$(UNKNOWN)', '$(UNKNOWN)'],
    ['$(A', '$(A'],
    ['a$b', 'a$b'],
    ['tail$', 'tail$'],
    ['$(A)$(A)', 'xx'],
  ])('%s → %s', (input, output) => {
    expect(expand(input, (name) => vars[name])).toBe(output);
  });
});

describe('serviceEnv', () => {
  test("the pod's namespace and the kubernetes Service, docker-link style", () => {
    const env = serviceEnv(services, 'ns');
    expect(env).toMatchObject({
      KUBERNETES_SERVICE_HOST: '10.96.0.1',
      KUBERNETES_SERVICE_PORT: '443',
      KUBERNETES_SERVICE_PORT_HTTPS: '443',
      KUBERNETES_PORT: 'tcp://10.96.0.1:443',
      KUBERNETES_PORT_443_TCP_ADDR: '10.96.0.1',
      HTTPBIN_SERVICE_HOST: '10.96.3.4',
      HTTPBIN_SERVICE_PORT_HTTP: '8000',
      HTTPBIN_PORT_8000_TCP: 'tcp://10.96.3.4:8000',
      HTTPBIN_PORT_8000_TCP_PROTO: 'tcp',
    });
    expect(Object.keys(env).some((k) => k.startsWith('HEADLESS') || k.startsWith('ELSEWHERE'))).toBe(false);
  });

  test('enableServiceLinks false keeps only the kubernetes Service', () => {
    expect(Object.keys(serviceEnv(services, 'ns', false)).every((k) => k.startsWith('KUBERNETES_'))).toBe(true);
  });
});

describe('containerEnv', () => {
  test('values, expansion, fieldRef, secretKeyRef, configMapKeyRef, resourceFieldRef, envFrom', () => {
    const { pod: p, container } = pod({
      resources: { limits: { cpu: '1500m', memory: '512Mi' } },
      envFrom: [{ configMapRef: { name: 'settings' }, prefix: 'CFG_' }],
      env: [
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'DOMAIN', value: '$(POD_NAMESPACE).svc.cluster.local' },
        { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'LATER', value: '$(POD_NAMESPACE)-$(POD_NAME)' },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
        { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'PASS', valueFrom: { secretKeyRef: { name: 'creds', key: 'pass' } } },
        { name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'settings', key: 'level' } } },
        { name: 'MISSING_OK', valueFrom: { secretKeyRef: { name: 'nope', key: 'k', optional: true } } },
        { name: 'CPUS', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1' } } },
        { name: 'MILLICPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
        { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } },
        { name: 'SVC', value: '$(HTTPBIN_SERVICE_HOST):$(HTTPBIN_SERVICE_PORT)' },
      ],
    });
    const env = containerEnv({ pod: p, container, facts, lookup, services, imageEnv: { PATH: '/bin', LEVEL: 'image' } });
    expect(env).toMatchObject({
      PATH: '/bin',
      POD_NAME: 'p-1',
      DOMAIN: '$(POD_NAMESPACE).svc.cluster.local', // defined later: left as written, as Kubernetes does
      LATER: 'ns-p-1',
      IP: '10.244.0.7',
      HOST_IP: '10.250.1.2',
      SA: 'sa',
      NODE: 'twin-node',
      APP: 'x',
      PASS: 's3cret',
      LEVEL: 'debug',
      CFG_level: 'debug',
      CPUS: '2',
      MILLICPU: '1500',
      MEM: String(512 * 1024 * 1024),
      SVC: '10.96.3.4:8000',
      KUBERNETES_SERVICE_HOST: '10.96.0.1',
    });
    expect(env).not.toHaveProperty('MISSING_OK');
    expect(env).not.toHaveProperty('CFG_bad key');
    expect(expandArgv(['--domain', '$(POD_NAMESPACE).svc'], env)).toEqual(['--domain', 'ns.svc']);
  });

  test("no limit: the node's allocatable amount", () => {
    const { pod: p, container } = pod({ env: [{ name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Gi' } } }] });
    expect(containerEnv({ pod: p, container, facts, lookup, services: [] }).MEM).toBe('256');
  });

  test('a missing secret or key is a CreateContainerConfigError with the kubelet wording', () => {
    const missingSecret = pod({ env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }] });
    expect(() => containerEnv({ ...missingSecret, facts, lookup, services: [] })).toThrow(ContainerConfigError);
    expect(() => containerEnv({ ...missingSecret, facts, lookup, services: [] })).toThrow('secret "nope" not found');
    const missingKey = pod({ env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'settings', key: 'nokey' } } }] });
    expect(() => containerEnv({ ...missingKey, facts, lookup, services: [] })).toThrow("couldn't find key nokey in ConfigMap ns/settings");
  });
});

describe('parseQuantity', () => {
  test.each([
    ['500m', 0.5],
    ['2', 2],
    ['1Ki', 1024],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['2e3', 2000],
    ['100M', 1e8],
  ])('%s', (text, value) => expect(parseQuantity(text)).toBeCloseTo(value));
  test('rejects junk', () => expect(() => parseQuantity('lots')).toThrow(/not a quantity/));
});
