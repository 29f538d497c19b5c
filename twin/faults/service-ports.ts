// Faults gateway-service-no-https and service-port-moved: the gateway Service's ports changed by
// another hand (a values override, a second controller), as JSON patches on the Service. Each
// change keeps its undo, which checks that it finds what the change made before putting it back.
import type { KubeClient, KubeObject, ObjectRef } from '../../helpers/kube';
import { read } from '../../helpers/kube';

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
  protocol?: string;
}

export type JsonPatchOp = { op: 'add' | 'replace' | 'test'; path: string; value: unknown } | { op: 'remove'; path: string };

export interface PortChange {
  patch: JsonPatchOp[];
  undo: JsonPatchOp[];
}

/** Where the faults move the HTTPS port to: a number the gateway Service does not use. */
export const MOVED_PORT = 9443;

/** The doc's gateway Service (istioctl's default profile, fixtures/istio/gateway-overlay.yaml). */
export const GATEWAY_SERVICE: ObjectRef = { apiVersion: 'v1', kind: 'Service', namespace: 'istio-system', name: 'istio-ingressgateway' };

function httpsIndex(ports: readonly ServicePort[]): number {
  const index = ports.findIndex((port) => port.name === 'https' && port.port === 443);
  if (index < 0) throw new Error(`the gateway Service has no port https 443 to change (its ports: ${ports.map((p) => `${p.name ?? '?'} ${p.port}`).join(', ')})`);
  return index;
}

/** gateway-service-no-https: https 443 becomes tls-alt 9443; NodePort and target stay. */
export function renameHttpsPort(ports: readonly ServicePort[]): PortChange {
  const at = `/spec/ports/${httpsIndex(ports)}`;
  const set = (name: string, port: number, was: { name: string; port: number }): JsonPatchOp[] => [
    { op: 'test', path: `${at}/name`, value: was.name },
    { op: 'test', path: `${at}/port`, value: was.port },
    { op: 'replace', path: `${at}/name`, value: name },
    { op: 'replace', path: `${at}/port`, value: port },
  ];
  return { patch: set('tls-alt', MOVED_PORT, { name: 'https', port: 443 }), undo: set('https', 443, { name: 'tls-alt', port: MOVED_PORT }) };
}

/** service-port-moved: the https port becomes https-old (still 443, still served) and a new https 9443 is added. */
export function moveHttpsPort(ports: readonly ServicePort[]): PortChange {
  const index = httpsIndex(ports);
  const https = ports[index]!;
  const added = `/spec/ports/${ports.length}`;
  return {
    patch: [
      { op: 'test', path: `/spec/ports/${index}/name`, value: 'https' },
      { op: 'replace', path: `/spec/ports/${index}/name`, value: 'https-old' },
      { op: 'add', path: '/spec/ports/-', value: { name: 'https', port: MOVED_PORT, targetPort: https.targetPort ?? 443, protocol: https.protocol ?? 'TCP' } },
    ],
    undo: [
      { op: 'test', path: `${added}/name`, value: 'https' },
      { op: 'test', path: `${added}/port`, value: MOVED_PORT },
      { op: 'remove', path: added },
      { op: 'test', path: `/spec/ports/${index}/name`, value: 'https-old' },
      { op: 'replace', path: `/spec/ports/${index}/name`, value: 'https' },
    ],
  };
}

/** One change of the gateway Service's ports at a time, undone on request. */
export class ServicePortFault {
  private undo: JsonPatchOp[] | undefined;

  constructor(private readonly kube: KubeClient) {}

  get changed(): boolean {
    return this.undo !== undefined;
  }

  async change(how: (ports: readonly ServicePort[]) => PortChange): Promise<void> {
    if (this.undo) return;
    const service = await read<KubeObject & { spec?: { ports?: ServicePort[] } }>(this.kube, GATEWAY_SERVICE);
    const change = how(service.spec?.ports ?? []);
    await this.patch(change.patch);
    this.undo = change.undo;
  }

  async restore(): Promise<void> {
    const undo = this.undo;
    this.undo = undefined;
    if (undo) await this.patch(undo);
  }

  private async patch(ops: JsonPatchOp[]): Promise<void> {
    const where = await this.kube.transport.pathOf(GATEWAY_SERVICE, 'patch');
    await this.kube.transport.request('PATCH', where, { contentType: 'application/json-patch+json', body: ops });
  }
}
