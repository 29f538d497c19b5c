// The twin's one Node, created by the twin as kwokctl does (kwok then initializes it and keeps
// its heartbeat): annotated for kwok, its podCIDR set, and its InternalIP already filled in, so
// kube-proxy, started right after, finds the node address without waiting for kwok.
import type { CoreV1Api, V1Node } from '@kubernetes/client-node';

export interface NodeObjectInput {
  name: string;
  address: string;
  podCidr: string;
  /** The Kubernetes version the node reports (kubelet and kube-proxy), e.g. v1.36.3. */
  kubeVersion?: string;
}

export const kwokNodeAnnotation = 'kwok.x-k8s.io/node';

export function nodeObject(input: NodeObjectInput): V1Node {
  const resources = { cpu: '32', memory: '256Gi', pods: '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: input.name,
      annotations: { [kwokNodeAnnotation]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': input.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': 'amd64',
        type: 'kwok',
      },
    },
    spec: { podCIDR: input.podCidr, podCIDRs: [input.podCidr] },
    status: {
      addresses: [
        { type: 'InternalIP', address: input.address },
        { type: 'Hostname', address: input.name },
      ],
      allocatable: resources,
      capacity: resources,
      nodeInfo: {
        architecture: 'amd64',
        operatingSystem: 'linux',
        kubeletVersion: input.kubeVersion ?? '',
        kubeProxyVersion: input.kubeVersion ?? '',
        containerRuntimeVersion: 'twin://pod-runner',
        kernelVersion: '',
        osImage: 'istio-gateway-conformance twin',
        bootID: '',
        machineID: '',
        systemUUID: '',
      },
    },
  };
}

export async function createNode(core: CoreV1Api, input: NodeObjectInput): Promise<V1Node> {
  return core.createNode({ body: nodeObject(input) });
}

/** True when the node's Ready condition is True. */
export function nodeIsReady(node: V1Node | undefined): boolean {
  return node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}
