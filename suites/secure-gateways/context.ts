// Everything the Secure Gateways steps share: the cluster, where the gateway is, the doc's
// certificates, the profile in force, the budgets, and what the run made (for cleanup).
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadSettings, UsageError, type Settings } from '../../helpers/config';
import { BackupLedger, connect, get, list, type IngressAddress, type KubeClient, type KubeObject } from '../../helpers/kube';
import { DOC_NAMES, FILE_MOUNT, type DocNames, type NetworkingVersion, type Profile } from '../../helpers/manifests';
import { makeDocChain, writeDocLayout, type DocChain, type DocLayout } from '../../helpers/pki';

export interface Budgets {
  waitMs: number;
  requestMs: number;
  converge: number;
}

export interface SecureGatewaysContext {
  settings: Settings;
  kube: KubeClient;
  names: DocNames;
  profile: Profile;
  /** Why this profile: configured, or what was detected on the gateway. */
  profileReason: string;
  networkingVersion: NetworkingVersion;
  budgets: Budgets;
  /** The doc's four folders, written by SG-C1. */
  certDir: string;
  chain?: DocChain;
  layout?: DocLayout;
  /** A second, unrelated chain whose client the gateway must refuse (SG-M5). */
  foreignChain?: DocChain;
  /** Found by SG-B2. */
  ingress?: IngressAddress;
  /** The gateway pod the troubleshooting steps look into (SG-B1). */
  gatewayPod?: string;
  /** When the suite first changed gateway config: SG-T5 reads the logs from then on. */
  configChangedAt?: Date;
  /** Objects the suite created or replaced, to delete or put back (SG-X1). */
  ledger: BackupLedger;
  /** Whether the host was ever served (SG-X3 checks that it no longer is). */
  served: boolean;
}

const GATEWAY_DEPLOYMENT = 'istio-ingressgateway';

export async function prepareSecureGateways(env: NodeJS.ProcessEnv = process.env): Promise<SecureGatewaysContext> {
  const settings = loadSettings(env);
  if (!settings.KUBECONFIG) throw new UsageError('KUBECONFIG is not set: the runner (npm test) sets it for the chosen target');
  const kube = await connect({ kubeconfigPath: settings.KUBECONFIG });
  const names: DocNames = { ...DOC_NAMES, host: settings.HOST };
  const { profile, reason } = await chooseProfile(kube, names, settings.PROFILE);
  return {
    settings,
    kube,
    names,
    profile,
    profileReason: reason,
    networkingVersion: await newestNetworkingVersion(kube),
    budgets: { waitMs: settings.WAIT_BUDGET_MS, requestMs: settings.REQUEST_TIMEOUT_MS, converge: settings.CONVERGE },
    certDir: mkdtempSync(path.join(os.tmpdir(), 'igc-certs-')),
    ledger: new BackupLedger(),
    served: false,
  };
}

/** The doc's chain and a foreign one, written in the doc's layout. */
export async function makeCertificates(context: SecureGatewaysContext): Promise<void> {
  const options = { host: context.names.host, keyType: context.settings.KEY_TYPE, rsaBits: context.settings.RSA_BITS };
  const [chain, foreignChain] = await Promise.all([makeDocChain(options), makeDocChain({ ...options, namePrefix: 'Foreign' })]);
  context.chain = chain;
  context.foreignChain = foreignChain;
  context.layout = await writeDocLayout(chain, context.certDir);
}

// file-mount needs a gateway that mounts the doc's secret; sds works with any current gateway.
async function chooseProfile(kube: KubeClient, names: DocNames, wanted: Settings['PROFILE']): Promise<{ profile: Profile; reason: string }> {
  if (wanted !== 'auto') return { profile: wanted, reason: `PROFILE=${wanted}` };
  const deployment = await get<KubeObject & { spec?: { template?: { spec?: { volumes?: Array<{ secret?: { secretName?: string } }> } } } }>(kube, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    namespace: names.gatewayNamespace,
    name: GATEWAY_DEPLOYMENT,
  });
  const mounts = deployment?.spec?.template?.spec?.volumes?.some((volume) => volume.secret?.secretName === FILE_MOUNT.certSecret) ?? false;
  return mounts
    ? { profile: 'file-mount', reason: `${names.gatewayNamespace}/${GATEWAY_DEPLOYMENT} mounts ${FILE_MOUNT.certSecret}` }
    : { profile: 'sds', reason: `${names.gatewayNamespace}/${GATEWAY_DEPLOYMENT} does not mount ${FILE_MOUNT.certSecret}` };
}

// networking.istio.io/v1 is served from Istio 1.22; older releases serve v1beta1 and v1alpha3.
async function newestNetworkingVersion(kube: KubeClient): Promise<NetworkingVersion> {
  const crd = await get<KubeObject & { spec?: { versions?: Array<{ name: string; served: boolean }> } }>(kube, {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    name: 'gateways.networking.istio.io',
  });
  if (!crd) throw new UsageError(`no Istio on ${kube.server}: the CRD gateways.networking.istio.io is not installed`);
  const served = new Set((crd.spec?.versions ?? []).filter((v) => v.served).map((v) => v.name));
  for (const version of ['v1', 'v1beta1', 'v1alpha3'] as const) {
    if (served.has(version)) return `networking.istio.io/${version}`;
  }
  throw new UsageError('gateways.networking.istio.io serves none of v1, v1beta1, v1alpha3');
}

/** The ingress gateway's pods, Ready ones first. */
export async function gatewayPods(context: SecureGatewaysContext): Promise<KubeObject[]> {
  return list(context.kube, { apiVersion: 'v1', kind: 'Pod', namespace: context.names.gatewayNamespace, labels: { istio: context.names.gatewaySelector } });
}

export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is missing: an earlier step did not provide it`);
  return value;
}
