import { describe, expect, test } from '@jest/globals';
import type { V1Node, V1Service, V1ServicePort } from '@kubernetes/client-node';
import { UsageError } from '../config';
import { httpsPort, nodeInternalIP, parseOverride, selectIngressAddress } from './ingress';

function gatewayService(type: string, ports: V1ServicePort[], ingress?: { ip?: string; hostname?: string }[]): V1Service {
  return {
    metadata: { name: 'istio-ingressgateway', namespace: 'istio-system' },
    spec: { type, ports },
    status: ingress ? { loadBalancer: { ingress } } : {},
  };
}
const istioPorts: V1ServicePort[] = [
  { name: 'status-port', port: 15021, protocol: 'TCP', nodePort: 30021 },
  { name: 'http2', port: 80, protocol: 'TCP', nodePort: 30080 },
  { name: 'https', port: 443, protocol: 'TCP', nodePort: 31443 },
];
function node(name: string, ready: boolean, addresses: { type: string; address: string }[]): V1Node {
  return { metadata: { name }, status: { addresses, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } };
}
const nodes = [
  node('worker-b', true, [{ type: 'Hostname', address: 'worker-b' }, { type: 'InternalIP', address: '172.18.0.3' }]),
  node('worker-a', false, [{ type: 'InternalIP', address: '172.18.0.2' }]),
  node('worker-c', true, [{ type: 'ExternalIP', address: '203.0.113.9' }, { type: 'InternalIP', address: '172.18.0.4' }]),
];

describe('ingress address (SG-B2)', () => {
  test('a LoadBalancer address with the Service port', () => {
    expect(selectIngressAddress(gatewayService('LoadBalancer', istioPorts, [{ ip: '10.89.0.10' }]), nodes)).toEqual({ address: '10.89.0.10', port: 443, source: 'loadBalancer' });
    expect(selectIngressAddress(gatewayService('LoadBalancer', istioPorts, [{ hostname: 'lb.example.net' }]), [])).toEqual({ address: 'lb.example.net', port: 443, source: 'loadBalancer' });
  });

  test('without a LoadBalancer address: the InternalIP of a Ready node, in name order, and the NodePort', () => {
    expect(selectIngressAddress(gatewayService('LoadBalancer', istioPorts, []), nodes)).toEqual({ address: '172.18.0.3', port: 31443, source: 'nodePort' });
    expect(selectIngressAddress(gatewayService('NodePort', istioPorts), nodes)).toEqual({ address: '172.18.0.3', port: 31443, source: 'nodePort' });
    expect(nodeInternalIP([nodes[1]!])).toBe('172.18.0.2'); // not Ready, but the only one
    expect(nodeInternalIP([node('x', true, [{ type: 'ExternalIP', address: '203.0.113.9' }])])).toBeUndefined();
  });

  test('INGRESS_ADDRESS overrides discovery, but the Service must still have its HTTPS port', () => {
    const service = gatewayService('LoadBalancer', istioPorts, [{ ip: '10.89.0.10' }]);
    expect(selectIngressAddress(service, nodes, '127.0.0.1:8443')).toEqual({ address: '127.0.0.1', port: 8443, source: 'override' });
    expect(() => selectIngressAddress(gatewayService('LoadBalancer', [istioPorts[1]!]), nodes, '127.0.0.1:8443')).toThrow(UsageError);
    expect(() => parseOverride('127.0.0.1:70000')).toThrow('is not host:port');
  });

  test('the HTTPS port is the one named https, else 443', () => {
    expect(httpsPort(gatewayService('NodePort', [{ name: 'tls', port: 443, nodePort: 32000 }])).nodePort).toBe(32000);
    expect(httpsPort(gatewayService('NodePort', [{ name: 'https', port: 8443 }, { name: 'other', port: 443 }])).port).toBe(8443);
  });

  test('a Service without an HTTPS port is one line naming it and its ports', () => {
    const service = gatewayService('LoadBalancer', [istioPorts[0]!, istioPorts[1]!]);
    expect(() => selectIngressAddress(service, nodes)).toThrow(
      'Service istio-system/istio-ingressgateway has no port named https or numbered 443 (its ports: status-port 15021/TCP (NodePort 30021), http2 80/TCP (NodePort 30080)): is this the ingress gateway\'s Service?',
    );
  });

  test('nothing reachable: one line saying why and naming the override', () => {
    expect(() => selectIngressAddress(gatewayService('ClusterIP', [{ name: 'https', port: 443 }]), nodes)).toThrow(
      "Service istio-system/istio-ingressgateway port https 443/TCP is not reachable from here (type ClusterIP, no LoadBalancer, no NodePort): set INGRESS_ADDRESS=host:port to the gateway's HTTPS address",
    );
    expect(() => selectIngressAddress(gatewayService('LoadBalancer', istioPorts, []), [])).toThrow('(no LoadBalancer address yet, no node with an InternalIP for NodePort 31443)');
  });
});
