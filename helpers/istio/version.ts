// What Istio an existing cluster runs, found without changing anything: the networking API version
// it serves, and istiod's version. The suite never installs or upgrades Istio on such a cluster.
//
// The version comes from istiod's container image tag: every install method (istioctl, Helm, the
// operator) sets it from the release, and reading it needs only `get deployments`. The labels are
// fallbacks for images pinned by digest: `operator.istio.io/version` (istioctl) is right, but the
// Helm labels (`app.kubernetes.io/version`, `helm.sh/chart`) carry the chart's version, which is
// 1.0.0 in istioctl's embedded charts of a dev build. `istio.io/rev` is a revision name
// (`default`, `1-22-3`) or a revision tag (`prod-stable`), not a version: with the gateway's
// control-plane address it picks the istiod that serves the gateway (chooseIstiod).
// Asking istiod itself (`pilot-discovery version` by exec) would need exec rights on the control
// plane, which the suite's RBAC does not grant.
import { UsageError } from '../config';
import { get, list, type KubeClient, type KubeObject } from '../kube';
import type { GatewayFacts } from './gateway';
import type { NetworkingVersion } from './conventions';

/** The Istio releases the suite supports: networking.istio.io/v1 is served from 1.22; the newest is the twin's build. */
export const SUPPORTED_ISTIO = { oldest: '1.22', newest: '1.31' } as const;

export interface IstioFacts {
  /** e.g. `1.30.4`, `1.31-dev`; undefined when nothing tells it. */
  version?: string;
  /** Where the version was read, in words. */
  versionSource: string;
  /** namespace/name of the istiod Deployment that serves the gateway. */
  istiod: string;
  /** Its istio.io/rev label (`default` when it has none). */
  revision: string;
  /** How it was found to serve the gateway, in words. */
  servesGatewayBecause: string;
  networkingVersion: NetworkingVersion;
}

type Deployment = KubeObject & {
  spec?: { template?: { metadata?: { labels?: Record<string, string> }; spec?: { containers?: Array<{ name: string; image?: string }> } } };
};
type Service = KubeObject & { spec?: { selector?: Record<string, string> } };

/** Pure: the Istio version an image reference's tag names (`…/pilot:1.22.3-distroless` -> 1.22.3), if it names one. */
export function versionFromImage(image: string): string | undefined {
  const withoutDigest = image.split('@')[0]!;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  if (colon <= lastSlash) return undefined; // no tag (a registry port is not one)
  const tag = withoutDigest.slice(colon + 1).replace(/-(distroless|debug)$/, '');
  return /^\d+\.\d+(\.\d+)?(-[0-9A-Za-z.-]+)?$/.test(tag) ? tag : undefined;
}

/** Pure: istiod's version and where it was read (see the module comment for the order). */
export function istioVersionOf(deployment: Deployment): { version?: string; source: string } {
  const where = `${deployment.metadata?.namespace}/${deployment.metadata?.name}`;
  const containers = deployment.spec?.template?.spec?.containers ?? [];
  const container = containers.find((c) => c.name === 'discovery') ?? containers[0];
  const fromImage = container?.image ? versionFromImage(container.image) : undefined;
  if (fromImage) return { version: fromImage, source: `the image tag of ${where}, ${container!.image}` };
  const labels = deployment.metadata?.labels ?? {};
  const candidates: Array<[string, string | undefined]> = [
    ['operator.istio.io/version', labels['operator.istio.io/version']],
    ['app.kubernetes.io/version', labels['app.kubernetes.io/version']],
    ['helm.sh/chart', labels['helm.sh/chart']?.replace(/^istiod-/, '')],
  ];
  for (const [label, value] of candidates) {
    if (value && /^\d+\.\d+/.test(value)) return { version: value, source: `the label ${label} of ${where}` };
  }
  return { source: `nothing on ${where} names a version (image ${container?.image ?? 'none'})` };
}

/** Pure: a warning when the version is outside the supported range, else undefined. */
export function supportWarning(version: string | undefined): string | undefined {
  if (!version) return `the Istio version is unknown: the suite supports ${SUPPORTED_ISTIO.oldest} to ${SUPPORTED_ISTIO.newest}`;
  const minor = (v: string) => v.split(/[.-]/).slice(0, 2).map(Number) as [number, number];
  const [major, min] = minor(version);
  const [oldMajor, oldMin] = minor(SUPPORTED_ISTIO.oldest);
  const [newMajor, newMin] = minor(SUPPORTED_ISTIO.newest);
  if (major < oldMajor || (major === oldMajor && min < oldMin)) return `Istio ${version} is older than the supported range (${SUPPORTED_ISTIO.oldest} to ${SUPPORTED_ISTIO.newest}): results may not mean what the report says`;
  if (major > newMajor || (major === newMajor && min > newMin)) return `Istio ${version} is newer than the newest release this suite was checked with (${SUPPORTED_ISTIO.newest})`;
  return undefined;
}

// networking.istio.io/v1 is served from Istio 1.22; older releases serve v1beta1 and v1alpha3.
export async function newestNetworkingVersion(kube: KubeClient): Promise<NetworkingVersion> {
  const crd = await get<KubeObject & { spec?: { versions?: Array<{ name: string; served: boolean }> } }>(kube, {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    name: 'gateways.networking.istio.io',
  });
  if (!crd) throw new UsageError(`no Istio on ${kube.server}: the CRD gateways.networking.istio.io is not installed (the suite never installs Istio on an existing cluster)`);
  const served = new Set((crd.spec?.versions ?? []).filter((v) => v.served).map((v) => v.name));
  for (const version of ['v1', 'v1beta1', 'v1alpha3'] as const) {
    if (served.has(version)) return `networking.istio.io/${version}`;
  }
  throw new UsageError('gateways.networking.istio.io serves none of v1, v1beta1, v1alpha3');
}

const revisionOf = (d: Deployment) => d.metadata?.labels?.['istio.io/rev'] ?? d.spec?.template?.metadata?.labels?.['istio.io/rev'] ?? 'default';
const nameOf = (o: KubeObject) => `${o.metadata?.namespace}/${o.metadata?.name}`;
const selects = (selector: Record<string, string>, d: Deployment) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => d.spec?.template?.metadata?.labels?.[key] === value);

/**
 * Pure: the istiod that serves the gateway, and why. In order: the Service its proxy's control-plane
 * address names (the istiod pods that Service selects); the istiod of the gateway's revision; the
 * revision a revision tag of that name points at (its Service istiod-revision-tag-<tag>, labelled
 * istio.io/tag and istio.io/rev, manifests/charts/istio-control/istio-discovery/templates/revision-tags-svc.yaml);
 * the only istiod there is. With several istiods and none of these, it refuses: any other pick
 * could be the wrong control plane.
 */
export function chooseIstiod(istiods: Deployment[], services: Service[], gateway: Pick<GatewayFacts, 'revision' | 'controlPlaneAddress'>): { istiod: Deployment; why: string } {
  const host = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.[a-z0-9.-]+)?(?::\d+)?$/.exec(gateway.controlPlaneAddress ?? '');
  if (host) {
    const service = services.find((s) => s.metadata?.name === host[1] && s.metadata?.namespace === host[2]);
    const served = service ? istiods.filter((d) => d.metadata?.namespace === host[2] && selects(service.spec?.selector ?? {}, d)) : [];
    if (served.length === 1) return { istiod: served[0]!, why: `the gateway's control plane ${gateway.controlPlaneAddress} (Service ${nameOf(service!)})` };
  }
  const ofRevision = (revision: string) => istiods.filter((d) => revisionOf(d) === revision);
  const direct = ofRevision(gateway.revision);
  if (direct.length === 1) return { istiod: direct[0]!, why: `the gateway's revision ${gateway.revision}` };
  const tag = services.find((s) => s.metadata?.labels?.['istio.io/tag'] === gateway.revision);
  const tagged = tag?.metadata?.labels?.['istio.io/rev'];
  if (tagged && ofRevision(tagged).length === 1) return { istiod: ofRevision(tagged)[0]!, why: `the revision tag ${gateway.revision}, which points at revision ${tagged}` };
  if (istiods.length === 1) return { istiod: istiods[0]!, why: `the only istiod (the gateway's revision ${gateway.revision} names none)` };
  throw new UsageError(
    `cannot tell which istiod serves the gateway: its revision "${gateway.revision}"${gateway.controlPlaneAddress ? ` and control plane ${gateway.controlPlaneAddress}` : ''} match none of ` +
      `${istiods.map((d) => `${nameOf(d)} (revision ${revisionOf(d)})`).join(', ')}, and no revision tag of that name exists`,
  );
}

/**
 * Finds the istiod that serves the gateway (chooseIstiod) and reads its version. UsageError when
 * the cluster runs no istiod, or several and none is the gateway's.
 */
export async function detectIstio(kube: KubeClient, gateway: Pick<GatewayFacts, 'revision' | 'controlPlaneAddress'> = { revision: 'default' }): Promise<IstioFacts> {
  const networkingVersion = await newestNetworkingVersion(kube);
  const istiods = await list<Deployment>(kube, { apiVersion: 'apps/v1', kind: 'Deployment', labels: { app: 'istiod' } });
  if (istiods.length === 0) throw new UsageError(`no istiod on ${kube.server}: no Deployment labelled app=istiod in any namespace (the suite never installs Istio on an existing cluster)`);
  const services = istiods.length > 1 || gateway.controlPlaneAddress ? await list<Service>(kube, { apiVersion: 'v1', kind: 'Service', labels: { app: 'istiod' } }) : [];
  const { istiod: chosen, why } = chooseIstiod(istiods, services, gateway);
  const { version, source } = istioVersionOf(chosen);
  return {
    version,
    versionSource: source,
    istiod: nameOf(chosen),
    revision: revisionOf(chosen),
    servesGatewayBecause: why,
    networkingVersion,
  };
}
