import { describe, expect, test } from '@jest/globals';
import { parse, parseAllDocuments } from 'yaml';
import { apiserverSpec, controlPlaneLayout, controllerManagerSpec, kwokSpec } from './components';
import { kubeProxyConfig, kwokStages } from './configs';
import { clusterPkiFiles } from './pki';

const layout = controlPlaneLayout('/state', 'twin-node', '10.250.7.2', clusterPkiFiles('/state/pki'));

describe('component command lines', () => {
  test('kube-apiserver: node address, Service range, aggregator routing, webhooks left enabled', () => {
    const args = apiserverSpec('/bin/kube-apiserver', layout).args!;
    expect(args).toEqual(
      expect.arrayContaining([
        '--advertise-address=10.250.7.2',
        '--service-cluster-ip-range=10.96.0.0/16',
        '--enable-aggregator-routing=true',
        '--kubelet-preferred-address-types=InternalIP',
        '--allow-privileged=true',
        '--service-account-signing-key-file=/state/pki/sa.key',
        '--client-ca-file=/state/pki/ca.crt',
        '--cert-dir=/state/cert-dir',
      ]),
    );
    expect(args.join(' ')).not.toMatch(/admission-plugins|admission-control/);
  });

  test('kube-controller-manager: no cloud controllers, the SA key and root CA', () => {
    const args = controllerManagerSpec('/bin/kcm', layout).args!;
    expect(args).toContain('--controllers=*,-service-lb-controller,-node-route-controller,-cloud-node-lifecycle-controller');
    expect(args).toContain('--service-account-private-key-file=/state/pki/sa.key');
    expect(args).toContain('--root-ca-file=/state/pki/ca.crt');
  });

  test('kwok serves the kubelet port only when twin-kubelet-stream does not', () => {
    expect(kwokSpec('/bin/kwok', layout, '/c', false).args).toContain('--server-address=0.0.0.0:10247');
    const serving = kwokSpec('/bin/kwok', layout, '/c', true).args!;
    expect(serving).toContain('--server-address=0.0.0.0:10250');
    expect(serving).toContain('--tls-cert-file=/state/pki/kubelet.crt');
    expect(serving).toContain('--node-port=10250');
  });
});

describe('configuration files', () => {
  test('kube-proxy: nftables mode, conntrack left alone', () => {
    const config = parse(kubeProxyConfig({ kubeconfig: '/k', nodeName: 'twin-node', clusterCidr: '10.244.0.0/16', healthzPort: 10256 }));
    expect(config).toMatchObject({
      kind: 'KubeProxyConfiguration',
      mode: 'nftables',
      clusterCIDR: '10.244.0.0/16',
      hostnameOverride: 'twin-node',
      conntrack: { maxPerCore: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
    });
  });

  test('kwok: node stages and pod deletion, no stage that makes pods ready', () => {
    const stages = parseAllDocuments(kwokStages()).map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec: { resourceRef: { kind: string } } });
    expect(stages.map((s) => s.kind)).toEqual(['Stage', 'Stage', 'Stage']);
    expect(stages.map((s) => s.metadata.name)).toEqual(['node-initialize', 'node-heartbeat-with-lease', 'pod-delete']);
    expect(stages.filter((s) => s.spec.resourceRef.kind === 'Pod').map((s) => s.metadata.name)).toEqual(['pod-delete']);
  });
});
