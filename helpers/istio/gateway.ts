// Which ingress gateway the doc's steps drive on a cluster, and what it can do: its namespace and
// Service, the `istio` label the doc's Gateway selects it by, its HTTPS port, and whether its
// Deployment mounts the doc's two secrets (istioctl's gateway chart does, as optional volumes;
// the Helm gateway chart and Gateway API gateways do not, so the file-mount profile cannot run).
import type { V1Service } from '@kubernetes/client-node';
import { UsageError } from '../config';
import { get, list, type KubeClient, type KubeObject } from '../kube';
import { httpsPort } from '../kube/ingress';
import { FILE_MOUNT, ISTIO_DEFAULTS } from './conventions';

/** The doc's gateway Service (istioctl's default profile). */
export const DOC_GATEWAY_SERVICE = ISTIO_DEFAULTS.ingressService;

type Container = { name: string; volumeMounts?: Array<{ name: string; mountPath: string }>; env?: Array<{ name: string; value?: string }> };
export type Deployment = KubeObject & {
  spec?: {
    template?: {
      metadata?: { labels?: Record<string, string> };
      spec?: { containers?: Container[]; volumes?: Array<{ name: string; secret?: { secretName?: string } }> };
    };
  };
};
type Service = V1Service & KubeObject;

export interface SecretMounts {
  /** istio-ingressgateway-certs at /etc/istio/ingressgateway-certs. */
  certs: boolean;
  /** istio-ingressgateway-ca-certs at /etc/istio/ingressgateway-ca-certs. */
  caCerts: boolean;
}

export interface GatewayFacts {
  namespace: string;
  service: string;
  /** The value of the pods' `istio` label: the doc's Gateway selects `istio: <this>`. */
  selector: string;
  /** namespace/name of the Deployment whose pods the Service selects, if one is found. */
  deployment?: string;
  /** The gateway pods' istio.io/rev label (`default` when absent): a revision, or a revision tag. */
  revision: string;
  /**
   * The control plane its istio-proxy connects to, `istiod-<rev>.<ns>.svc:15012` (the CA_ADDR the
   * istio-ingress chart sets, manifests/charts/gateways/istio-ingress/templates/deployment.yaml); an
   * injected gateway gets it only in its pods, so undefined there.
   */
  controlPlaneAddress?: string;
  mounts: SecretMounts;
}

export interface HttpsFacts {
  port: number;
  targetPort?: string;
  nodePort?: number;
  type: string;
  loadBalancer?: string;
}

const matches = (selector: Record<string, string>, labels: Record<string, string> | undefined) =>
  Object.entries(selector).every(([key, value]) => labels?.[key] === value);

/** A gateway proxy's Deployment: its pod template runs `istio-proxy` itself (istioctl's chart), or is injected with the gateway template (the Helm gateway chart). */
function isGatewayProxy(deployment: Deployment): boolean {
  const template = deployment.spec?.template;
  const annotations = (template?.metadata as { annotations?: Record<string, string> } | undefined)?.annotations;
  return (template?.spec?.containers ?? []).some((c) => c.name === 'istio-proxy') || /gateway/.test(annotations?.['inject.istio.io/templates'] ?? '');
}

/** Pure: whether the Deployment's istio-proxy mounts each of the doc's secrets at the doc's path. */
export function secretMounts(deployment: Deployment | undefined): SecretMounts {
  const spec = deployment?.spec?.template?.spec;
  const proxy = spec?.containers?.find((c) => c.name === 'istio-proxy');
  const mounted = (secretName: string, mountPath: string) => {
    const volume = spec?.volumes?.find((v) => v.secret?.secretName === secretName);
    return volume !== undefined && (proxy?.volumeMounts ?? []).some((m) => m.name === volume.name && m.mountPath === mountPath);
  };
  return { certs: mounted(FILE_MOUNT.certSecret, FILE_MOUNT.certDir), caCerts: mounted(FILE_MOUNT.caSecret, FILE_MOUNT.caDir) };
}

/** Pure: the mounts in words, for the log and the profile's reason. */
export function describeMounts(facts: Pick<GatewayFacts, 'namespace' | 'service' | 'deployment' | 'mounts'>): string {
  const who = facts.deployment ?? `the Deployment behind ${facts.namespace}/${facts.service}`;
  const { certs, caCerts } = facts.mounts;
  if (certs && caCerts) return `${who} mounts ${FILE_MOUNT.certSecret} and ${FILE_MOUNT.caSecret}`;
  if (!certs && !caCerts) return `${who} mounts neither ${FILE_MOUNT.certSecret} nor ${FILE_MOUNT.caSecret}`;
  return `${who} mounts ${certs ? FILE_MOUNT.certSecret : FILE_MOUNT.caSecret} but not ${certs ? FILE_MOUNT.caSecret : FILE_MOUNT.certSecret}`;
}

/** Pure: the facts of a gateway from its Service and the Deployments of its namespace; undefined when the Service selects no `istio` label. */
export function gatewayFacts(service: Service, deployments: Deployment[]): GatewayFacts | undefined {
  const selector = service.spec?.selector ?? {};
  if (!selector.istio) return undefined;
  const deployment = deployments.find((d) => matches(selector, d.spec?.template?.metadata?.labels) && isGatewayProxy(d));
  return {
    namespace: service.metadata!.namespace!,
    service: service.metadata!.name!,
    selector: selector.istio,
    deployment: deployment ? `${deployment.metadata?.namespace}/${deployment.metadata?.name}` : undefined,
    revision: deployment?.spec?.template?.metadata?.labels?.['istio.io/rev'] ?? 'default',
    ...controlPlaneOf(deployment),
    mounts: secretMounts(deployment),
  };
}

function controlPlaneOf(deployment: Deployment | undefined): Pick<GatewayFacts, 'controlPlaneAddress'> {
  const proxy = deployment?.spec?.template?.spec?.containers?.find((c) => c.name === 'istio-proxy');
  const address = proxy?.env?.find((e) => e.name === 'CA_ADDR')?.value;
  return address ? { controlPlaneAddress: address } : {};
}

/** The gateway's HTTPS port; the one-line UsageError of ingress.ts when it has no port 443 (or named https). */
export function httpsFacts(service: Service): HttpsFacts {
  const port = httpsPort(service);
  const ingress = service.status?.loadBalancer?.ingress?.[0];
  return {
    port: port.port,
    targetPort: port.targetPort === undefined ? undefined : String(port.targetPort),
    nodePort: port.nodePort,
    type: service.spec?.type ?? 'ClusterIP',
    loadBalancer: ingress?.ip ?? ingress?.hostname,
  };
}

async function deploymentsOf(kube: KubeClient, namespace?: string): Promise<Deployment[]> {
  return list<Deployment>(kube, { apiVersion: 'apps/v1', kind: 'Deployment', ...(namespace ? { namespace } : {}) });
}

/** The named gateway Service's facts, or undefined when there is no such Service (the suites then fail SG-B1 with the doc's words). */
export async function readGateway(kube: KubeClient, where: { namespace: string; service: string }): Promise<{ facts?: GatewayFacts; service?: Service }> {
  const service = await get<Service>(kube, { apiVersion: 'v1', kind: 'Service', namespace: where.namespace, name: where.service });
  if (!service) return {};
  return { facts: gatewayFacts(service, await deploymentsOf(kube, where.namespace)), service };
}

/**
 * Finds the ingress gateway: the Service GATEWAY_NAMESPACE/GATEWAY_SERVICE name, else the doc's
 * istio-system/istio-ingressgateway when it is a gateway, else the only Service in the cluster (or
 * in GATEWAY_NAMESPACE) that selects a gateway proxy's pods by an `istio` label. Every miss is a
 * one-line UsageError naming the settings. Checks the HTTPS port (443) too.
 */
export async function findGateway(kube: KubeClient, wanted: { namespace?: string; service?: string }): Promise<{ facts: GatewayFacts; https: HttpsFacts }> {
  if (wanted.service) {
    const namespace = wanted.namespace ?? ISTIO_DEFAULTS.namespace;
    const { facts, service } = await readGateway(kube, { namespace, service: wanted.service });
    if (!service) throw new UsageError(`GATEWAY_SERVICE=${wanted.service}: there is no Service ${namespace}/${wanted.service} (set GATEWAY_NAMESPACE to its namespace)`);
    if (!facts) throw new UsageError(`Service ${namespace}/${wanted.service} selects no pods by an "istio" label: the doc's Gateway selects its gateway by one (Gateway API gateways are not supported)`);
    return { facts, https: httpsFacts(service) };
  }
  const services = await list<Service>(kube, { apiVersion: 'v1', kind: 'Service', ...(wanted.namespace ? { namespace: wanted.namespace } : {}) });
  const deployments = await deploymentsOf(kube, wanted.namespace);
  const candidates: Array<{ facts: GatewayFacts; service: Service }> = [];
  for (const service of services) {
    const facts = gatewayFacts(service, deployments.filter((d) => d.metadata?.namespace === service.metadata?.namespace));
    if (facts?.deployment) candidates.push({ facts, service });
  }
  const doc = candidates.find((c) => c.facts.namespace === ISTIO_DEFAULTS.namespace && c.facts.service === DOC_GATEWAY_SERVICE);
  const where = wanted.namespace ? `namespace ${wanted.namespace}` : 'the cluster';
  if (doc) return { facts: doc.facts, https: httpsFacts(doc.service) };
  if (candidates.length === 1) return { facts: candidates[0]!.facts, https: httpsFacts(candidates[0]!.service) };
  if (candidates.length === 0) {
    throw new UsageError(
      `no Istio ingress gateway in ${where}: no Service selects the pods of an istio-proxy Deployment by an "istio" label ` +
        '(Gateway API gateways are not supported: the doc\'s Gateway selects its gateway by that label); name it with GATEWAY_NAMESPACE and GATEWAY_SERVICE',
    );
  }
  const names = candidates.map((c) => `${c.facts.namespace}/${c.facts.service} (istio=${c.facts.selector})`).join(', ');
  throw new UsageError(`${candidates.length} ingress gateways in ${where}: ${names}; name one with GATEWAY_NAMESPACE and GATEWAY_SERVICE`);
}
