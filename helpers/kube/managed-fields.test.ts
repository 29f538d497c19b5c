import { describe, expect, test } from '@jest/globals';
import { managersOf, projectFields, unionFields, writtenBy } from './managed-fields';

// A Deployment as the API server returns it after `istioctl install`: istio-operator applied the
// spec, the server defaulted more (strategy, terminationMessagePath), the controller wrote status
// and an annotation. The fieldsV1 entries have the shapes the server writes (f:, k:{...}, v:, .).
const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'istiod',
    namespace: 'istio-system',
    uid: '0f4c',
    resourceVersion: '812',
    annotations: { 'deployment.kubernetes.io/revision': '1' },
    labels: { app: 'istiod', 'operator.istio.io/component': 'Pilot' },
    finalizers: ['a', 'b'],
    managedFields: [
      {
        manager: 'istio-operator',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:app': {}, 'f:operator.istio.io/component': {} }, 'f:finalizers': { 'v:"a"': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:template': {
              'f:spec': {
                'f:containers': {
                  'k:{"name":"discovery"}': {
                    '.': {},
                    'f:name': {},
                    'f:args': {},
                    'f:ports': { 'k:{"containerPort":8080,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
                  },
                },
              },
            },
          },
        },
      },
      {
        manager: 'kube-controller-manager',
        operation: 'Update',
        apiVersion: 'apps/v1',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:metadata': { 'f:annotations': { 'f:deployment.kubernetes.io/revision': {} } }, 'f:status': { 'f:replicas': {} } },
      },
    ],
  },
  spec: {
    replicas: 1,
    strategy: { type: 'RollingUpdate' },
    template: {
      spec: {
        containers: [
          {
            name: 'discovery',
            args: ['discovery', '--monitoringAddr=:15014'],
            terminationMessagePath: '/dev/termination-log',
            ports: [
              { containerPort: 8080, protocol: 'TCP' },
              { containerPort: 15010, protocol: 'TCP' },
            ],
          },
          { name: 'injected-by-someone-else', image: 'x' },
        ],
      },
    },
  },
  status: { replicas: 1 },
};

describe('writtenBy', () => {
  test("keeps exactly the fields the manager owns, keyed list items with their keys, and drops the server's and other managers' fields", () => {
    expect(writtenBy(deployment, 'istio-operator')).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'istiod', namespace: 'istio-system', labels: { app: 'istiod', 'operator.istio.io/component': 'Pilot' }, finalizers: ['a'] },
      spec: {
        replicas: 1,
        template: { spec: { containers: [{ name: 'discovery', args: ['discovery', '--monitoringAddr=:15014'], ports: [{ containerPort: 8080, protocol: 'TCP' }] }] } },
      },
    });
  });

  test("another manager's view holds only its fields", () => {
    expect(writtenBy(deployment, 'kube-controller-manager')).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'istiod', namespace: 'istio-system', annotations: { 'deployment.kubernetes.io/revision': '1' } },
      status: { replicas: 1 },
    });
  });

  test('a manager that owns nothing gives undefined; managersOf lists the owners', () => {
    expect(writtenBy(deployment, 'kubectl')).toBeUndefined();
    expect(managersOf(deployment)).toEqual(['istio-operator', 'kube-controller-manager']);
  });
});

describe('projectFields', () => {
  test('an index key picks the item at that index; a leaf owns a whole map', () => {
    expect(projectFields({ list: ['x', 'y', 'z'], map: { a: 1, b: 2 } }, { 'f:list': { 'i:1': {} }, 'f:map': {} })).toEqual({ list: ['y'], map: { a: 1, b: 2 } });
  });

  test('unionFields owns what either tree owns', () => {
    expect(unionFields([{ 'f:a': { 'f:x': {} } }, { 'f:a': { 'f:y': {} }, 'f:b': {} }])).toEqual({ 'f:a': { 'f:x': {}, 'f:y': {} }, 'f:b': {} });
  });
});
