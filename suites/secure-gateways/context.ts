// Everything the Secure Gateways steps share: the cluster, where the gateway is, the doc's
// certificates, the profile in force, the budgets, and what the run made (for cleanup).
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadSettings, UsageError, type Settings } from '../../helpers/config';
import { BackupLedger, connect, list, type IngressAddress, type KubeClient, type KubeObject } from '../../helpers/kube';
import { DOC_NAMES, type DocNames, type NetworkingVersion, type Profile } from './manifests';
import { describeMounts, DOC_GATEWAY_SERVICE, readGateway, type GatewayFacts } from '../../helpers/istio/gateway';
import { catalogueWaitMs } from '../../helpers/file-mount-wait';
import { newestNetworkingVersion } from '../../helpers/istio/version';
import { runLedger } from '../../helpers/kube/ledgers';
import { makeDocChain, writeDocLayout, type DocChain, type DocLayout } from '../../helpers/pki';

export type { Budgets } from '../runtime/observe';
import type { Budgets } from '../runtime/observe';

export interface SecureGatewaysContext {
  settings: Settings;
  kube: KubeClient;
  names: DocNames;
  /** The gateway's Service in names.gatewayNamespace (GATEWAY_SERVICE, else the doc's). */
  gatewayService: string;
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
  /** Why the gateway container cannot run the doc's ls/cat (a distroless image), once a file check found out. */
  fileToolsMissing?: string;
  /** When the suite first changed gateway config: SG-T5 reads the logs from then on. */
  configChangedAt?: Date;
  /** Objects the suite created or replaced, to delete or put back (SG-X1). */
  ledger: BackupLedger;
  /** Whether the host was ever served (SG-X3 checks that it no longer is). */
  served: boolean;
}

export async function prepareSecureGateways(env: NodeJS.ProcessEnv = process.env): Promise<SecureGatewaysContext> {
  const settings = loadSettings(env);
  if (!settings.KUBECONFIG) throw new UsageError('KUBECONFIG is not set: the runner (npm test) sets it for the chosen target');
  // KUBECONFIG may list several files; KUBE_CONTEXT is the context the existing target checked.
  const kube = await connect({ context: settings.KUBE_CONTEXT, env });
  // The gateway the target found (GATEWAY_NAMESPACE/GATEWAY_SERVICE), else the doc's; its pods'
  // `istio` label is what the doc's Gateway selects. A missing Service is SG-B1's to report.
  const gatewayService = settings.GATEWAY_SERVICE ?? DOC_GATEWAY_SERVICE;
  const { facts: gateway } = await readGateway(kube, { namespace: settings.GATEWAY_NAMESPACE ?? DOC_NAMES.gatewayNamespace, service: gatewayService });
  const names: DocNames = {
    ...DOC_NAMES,
    host: settings.HOST,
    gatewayNamespace: settings.GATEWAY_NAMESPACE ?? DOC_NAMES.gatewayNamespace,
    gatewaySelector: gateway?.selector ?? DOC_NAMES.gatewaySelector,
  };
  const { profile, reason } = chooseProfile(gateway, settings.PROFILE);
  return {
    settings,
    kube,
    names,
    gatewayService,
    profile,
    profileReason: reason,
    networkingVersion: await newestNetworkingVersion(kube),
    budgets: { waitMs: catalogueWaitMs(settings.WAIT_BUDGET_MS, profile, settings.FILE_MOUNT_WAIT_MS), requestMs: settings.REQUEST_TIMEOUT_MS, converge: settings.CONVERGE },
    certDir: settings.CERT_DIR ? path.resolve(settings.CERT_DIR) : mkdtempSync(path.join(os.tmpdir(), 'igc-certs-')),
    // On disk, so that `npm run cleanup` can put back what an interrupted run replaced.
    ledger: runLedger(settings.CACHE_DIR, kube.server, kube.runId),
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

/**
 * Pure: the profile and why. file-mount needs a gateway that mounts both of the doc's secrets (the
 * Helm gateway chart and Gateway API gateways mount none); sds works with any current gateway.
 * PROFILE=file-mount on a gateway that cannot run it is no failure of the gateway: preparing the
 * run fails with the reason, and every step is reported skipped with it.
 */
export function chooseProfile(gateway: GatewayFacts | undefined, wanted: Settings['PROFILE']): { profile: Profile; reason: string } {
  const mounts = gateway ? describeMounts(gateway) : 'no gateway Service found';
  const both = gateway !== undefined && gateway.mounts.certs && gateway.mounts.caCerts;
  if (wanted === 'sds') return { profile: 'sds', reason: 'PROFILE=sds' };
  if (wanted === 'file-mount') {
    if (both || !gateway) return { profile: 'file-mount', reason: 'PROFILE=file-mount' };
    throw new UsageError(`PROFILE=file-mount needs a gateway that mounts the doc's two secrets, and ${mounts}: the file-mount steps cannot run on it (PROFILE=auto runs the sds profile)`);
  }
  return both
    ? { profile: 'file-mount', reason: `PROFILE=auto and ${mounts}` }
    : { profile: 'sds', reason: `PROFILE=auto and ${mounts}: file-mount needs both, so the certificates go to istiod over SDS` };
}

/** The ingress gateway's pods, Ready ones first. */
export async function gatewayPods(context: SecureGatewaysContext): Promise<KubeObject[]> {
  return list(context.kube, { apiVersion: 'v1', kind: 'Pod', namespace: context.names.gatewayNamespace, labels: { istio: context.names.gatewaySelector } });
}

export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is missing: an earlier step did not provide it`);
  return value;
}
