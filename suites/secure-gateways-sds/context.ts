// What the credentialName steps share: the cluster, the gateway, this catalogue's names, the
// certificates (made when the run is prepared), the budgets, and what the run made (for cleanup).
import { loadSettings, UsageError, type Settings } from '../../helpers/config';
import { connect, list, type BackupLedger, type IngressAddress, type KubeClient, type KubeObject } from '../../helpers/kube';
import { DOC_GATEWAY_SERVICE, readGateway } from '../../helpers/istio/gateway';
import { newestNetworkingVersion } from '../../helpers/istio/version';
import type { NetworkingVersion } from '../../helpers/istio/conventions';
import { runLedger } from '../../helpers/kube/ledgers';
import { issueCertificate, makeDocChain, type CertKeyPair, type DocChain } from '../../helpers/pki';
import type { Budgets } from '../runtime/observe';
import { SDS_NAMES, type SdsNames } from './manifests';

/** The gateway pod SDS-B1 found: SDS-R1 checks that the rotation neither replaced nor restarted it. */
export interface GatewayPodState {
  name: string;
  uid: string;
  restarts: number;
}

export interface SdsContext {
  settings: Settings;
  kube: KubeClient;
  names: SdsNames;
  gatewayService: string;
  networkingVersion: NetworkingVersion;
  budgets: Budgets;
  chain: DocChain;
  /** A second server certificate for the host from the same intermediate (SDS-R1). */
  rotatedServer: CertKeyPair;
  ingress?: IngressAddress;
  gatewayPod?: GatewayPodState;
  configChangedAt?: Date;
  ledger: BackupLedger;
  /** Whether the host was ever served (SDS-X2 checks that it no longer is). */
  served: boolean;
}

export async function prepareSds(env: NodeJS.ProcessEnv = process.env): Promise<SdsContext> {
  const settings = loadSettings(env);
  if (!settings.KUBECONFIG) throw new UsageError('KUBECONFIG is not set: the runner (npm test) sets it for the chosen target');
  const kube = await connect({ context: settings.KUBE_CONTEXT, env });
  const gatewayNamespace = settings.GATEWAY_NAMESPACE ?? SDS_NAMES.gatewayNamespace;
  const gatewayService = settings.GATEWAY_SERVICE ?? DOC_GATEWAY_SERVICE;
  // A missing gateway Service is SDS-B1's to report; its pods' `istio` label is what the Gateway selects.
  const { facts: gateway } = await readGateway(kube, { namespace: gatewayNamespace, service: gatewayService });
  const names: SdsNames = { ...SDS_NAMES, host: settings.HOST, gatewayNamespace, gatewaySelector: gateway?.selector ?? SDS_NAMES.gatewaySelector };
  const keys = { keyType: settings.KEY_TYPE, rsaBits: settings.RSA_BITS };
  const chain = await makeDocChain({ host: names.host, ...keys });
  const rotatedServer = await issueCertificate({ subject: { CN: names.host, O: 'Rotated' }, issuer: chain.intermediate, dnsNames: [names.host], extendedKeyUsage: ['serverAuth'], ...keys });
  return {
    settings,
    kube,
    names,
    gatewayService,
    networkingVersion: await newestNetworkingVersion(kube),
    budgets: { waitMs: settings.WAIT_BUDGET_MS, requestMs: settings.REQUEST_TIMEOUT_MS, converge: settings.CONVERGE },
    chain,
    rotatedServer,
    ledger: runLedger(settings.CACHE_DIR, kube.server, kube.runId),
    served: false,
  };
}

type Pod = KubeObject & { metadata?: { uid?: string }; status?: { conditions?: Array<{ type: string; status: string }>; containerStatuses?: Array<{ restartCount?: number }> } };

/** The gateway's pods, as SDS-B1 and SDS-R1 see them. */
export async function gatewayPodStates(context: SdsContext): Promise<Array<GatewayPodState & { ready: boolean }>> {
  const pods = await list<Pod>(context.kube, { apiVersion: 'v1', kind: 'Pod', namespace: context.names.gatewayNamespace, labels: { istio: context.names.gatewaySelector } });
  return pods.map((pod) => ({
    name: pod.metadata?.name ?? '',
    uid: pod.metadata?.uid ?? '',
    restarts: (pod.status?.containerStatuses ?? []).reduce((sum, status) => sum + (status.restartCount ?? 0), 0),
    ready: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
  }));
}

/** A serial number as hex without leading zeros, so the probe's and Node's forms compare. */
export function serialOf(hex: string): string {
  return hex.toLowerCase().replace(/^0+(?=.)/, '');
}

export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is missing: an earlier step did not provide it`);
  return value;
}
