// SG-B2: where the ingress gateway's HTTPS port is reached from the machine the suite runs on
// (the doc's INGRESS_HOST and SECURE_INGRESS_PORT). The INGRESS_ADDRESS setting, when set,
// overrides the address (kind on macOS, a tunnel, a proxy); else the Service's LoadBalancer
// ingress and its port; else a node's InternalIP and the port's NodePort.
import type { V1Node, V1Service, V1ServicePort } from '@kubernetes/client-node';
import { loadSettings, UsageError } from '../config';
import type { KubeClient } from './connect';
import { list, read } from './objects';

export interface IngressAddress {
  address: string;
  port: number;
  source: 'loadBalancer' | 'nodePort' | 'override';
}

function serviceName(service: V1Service): string {
  return `Service ${service.metadata?.namespace}/${service.metadata?.name}`;
}

function portText(port: V1ServicePort): string {
  return `${port.name ? `${port.name} ` : ''}${port.port}/${port.protocol ?? 'TCP'}${port.nodePort ? ` (NodePort ${port.nodePort})` : ''}`;
}

/** The Service's HTTPS port: the one named `https`, else the one numbered 443. */
export function httpsPort(service: V1Service): V1ServicePort {
  const ports = service.spec?.ports ?? [];
  const found = ports.find((p) => p.name === 'https') ?? ports.find((p) => p.port === 443);
  if (!found) {
    const has = ports.length ? `its ports: ${ports.map(portText).join(', ')}` : 'it has no ports';
    throw new UsageError(`${serviceName(service)} has no port named https or numbered 443 (${has}): is this the ingress gateway's Service?`);
  }
  return found;
}

/** The first LoadBalancer ingress address (IP, else hostname), if the Service has one. */
export function loadBalancerAddress(service: V1Service): string | undefined {
  if (service.spec?.type !== 'LoadBalancer') return undefined;
  for (const ingress of service.status?.loadBalancer?.ingress ?? []) {
    if (ingress.ip || ingress.hostname) return ingress.ip || ingress.hostname;
  }
  return undefined;
}

function isReady(node: V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** A node's InternalIP: of a Ready node first, in name order, so that every run picks the same. */
export function nodeInternalIP(nodes: V1Node[]): string | undefined {
  const byName = [...nodes].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  for (const node of [...byName.filter(isReady), ...byName.filter((n) => !isReady(n))]) {
    const ip = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    if (ip) return ip;
  }
  return undefined;
}

/** `host:port` as the INGRESS_ADDRESS setting holds it. */
export function parseOverride(override: string): { address: string; port: number } {
  const match = /^([^:\s]+):(\d{1,5})$/.exec(override);
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65535) throw new UsageError(`INGRESS_ADDRESS=${JSON.stringify(override)} is not host:port`);
  return { address: match[1]!, port };
}

/** Pure: the address from the Service, its nodes and the override (see the module comment). */
export function selectIngressAddress(service: V1Service, nodes: V1Node[], override?: string): IngressAddress {
  const port = httpsPort(service);
  if (override) return { ...parseOverride(override), source: 'override' };
  const balancer = loadBalancerAddress(service);
  if (balancer) return { address: balancer, port: port.port, source: 'loadBalancer' };
  const nodeIP = port.nodePort ? nodeInternalIP(nodes) : undefined;
  if (port.nodePort && nodeIP) return { address: nodeIP, port: port.nodePort, source: 'nodePort' };
  const why = [
    service.spec?.type === 'LoadBalancer' ? 'no LoadBalancer address yet' : `type ${service.spec?.type ?? 'ClusterIP'}, no LoadBalancer`,
    port.nodePort ? `no node with an InternalIP for NodePort ${port.nodePort}` : 'no NodePort',
  ].join(', ');
  throw new UsageError(`${serviceName(service)} port ${portText(port)} is not reachable from here (${why}): set INGRESS_ADDRESS=host:port to the gateway's HTTPS address`);
}

/** SG-B2 against the cluster: reads the Service, and the nodes only when they are needed. */
export async function ingressAddress(
  kube: KubeClient,
  service: { namespace: string; name: string } = { namespace: 'istio-system', name: 'istio-ingressgateway' },
  override: string | undefined = loadSettings().INGRESS_ADDRESS,
): Promise<IngressAddress> {
  const found = await read<V1Service & { apiVersion: string; kind: string }>(kube, { apiVersion: 'v1', kind: 'Service', ...service });
  const needNodes = !override && !loadBalancerAddress(found) && httpsPort(found).nodePort !== undefined;
  const nodes = needNodes ? await list<V1Node & { apiVersion: string; kind: string }>(kube, { apiVersion: 'v1', kind: 'Node' }) : [];
  return selectIngressAddress(found, nodes, override);
}
