// The `existing` target: a kubeconfig context the user names (TARGET=existing, KUBE_CONTEXT), on a
// cluster the user marked with the consent ConfigMap (existing-guard.ts), on which Istio is found,
// never installed. It finds the gateway and what it can do,
// takes the run's lock (a Lease), deploys httpbin only where it is missing, and on release deletes
// only what it deployed and gives the lock back.
import type { Settings } from '../../helpers/config';
import { UsageError } from '../../helpers/config';
import { acquireLease, connect, LeaseHeldError, loadKubeConfig, type KubeClient, type LeaseLock, type ObjectRef } from '../../helpers/kube';
import { checkConsent, requireNamedContext } from './guard';
import { describeMounts, findGateway, type GatewayFacts, type HttpsFacts } from '../../helpers/istio/gateway';
import { ensureHttpbin, removeHttpbin, SAMPLE_NAMESPACE, type HttpbinDeployment } from '../httpbin';
import { detectIstio, supportWarning, type IstioFacts } from '../../helpers/istio/version';

export interface OpenedContext {
  kube: KubeClient;
  /** The kubeconfig file(s), as KUBECONFIG lists them. */
  kubeconfig: string;
  context: string;
  /** Why the context may be used (KUBE_CONTEXT names it and its cluster carries the consent marker). */
  allowedBecause: string;
}

/**
 * Selects the context KUBE_CONTEXT names (refused, before any request, when it names none), connects,
 * and refuses the cluster unless it carries the consent marker; nothing is written before that.
 */
export async function openExistingContext(settings: Pick<Settings, 'KUBECONFIG' | 'KUBE_CONTEXT'>): Promise<OpenedContext> {
  const env = { KUBECONFIG: settings.KUBECONFIG };
  const { kubeConfig, files } = loadKubeConfig({ context: settings.KUBE_CONTEXT, env });
  const context = requireNamedContext(settings.KUBE_CONTEXT, kubeConfig.getCurrentContext());
  const kube = await connect({ context, env });
  const allowedBecause = await checkConsent(kube, context);
  return { kube, kubeconfig: files, context, allowedBecause };
}

/** Takes the run's lock in the samples' namespace, waiting up to LOCK_WAIT_MS; one line when another run holds it. */
export async function takeRunLock(kube: KubeClient, waitMs: number, log: (line: string) => void): Promise<LeaseLock> {
  const namespace = SAMPLE_NAMESPACE;
  try {
    if (waitMs > 0) log(`taking the lock Lease ${namespace}/istio-gateway-conformance-lock (waiting up to ${Math.round(waitMs / 1000)} s for another run)`);
    return await acquireLease(kube, { namespace, waitBudgetMs: waitMs });
  } catch (error) {
    if (!(error instanceof LeaseHeldError)) throw error;
    throw new UsageError(`${error.message}${waitMs === 0 ? '; or set LOCK_WAIT_MS to wait for it' : ''}`);
  }
}

export interface ExistingTarget extends OpenedContext {
  kubernetesVersion: string;
  istio: IstioFacts;
  gateway: GatewayFacts;
  https: HttpsFacts;
  httpbin: HttpbinDeployment;
  lock: LeaseLock;
  /** Settings the suites need to drive this gateway on this context (runCatalogue's env). */
  suiteEnv: Record<string, string>;
  /** Before a repeated run: creates again what SG-X2 removed (only what this run deployed); release removes it. */
  redeployHttpbin(): Promise<void>;
  release(): Promise<void>;
}

/** What PROFILE will do on this gateway, in words. */
function profileLine(gateway: GatewayFacts, profile: Settings['PROFILE']): string {
  const mounts = describeMounts(gateway);
  const both = gateway.mounts.certs && gateway.mounts.caCerts;
  if (profile === 'sds') return `${mounts}; PROFILE=sds`;
  if (both) return `${mounts}: the file-mount profile (the doc verbatim) can run${profile === 'auto' ? ' and PROFILE=auto picks it' : ''}`;
  if (profile === 'auto') return `${mounts}: PROFILE=auto runs the sds profile, and the steps that look into mounted files are skipped`;
  return `${mounts}: PROFILE=file-mount cannot run on it, so every step is reported skipped with that reason (PROFILE=auto runs the sds profile)`;
}

export async function startExistingTarget(settings: Settings, log: (line: string) => void): Promise<ExistingTarget> {
  const opened = await openExistingContext(settings);
  const { kube } = opened;
  log(`existing: context "${opened.context}" at ${kube.server} (Kubernetes ${kube.serverVersion}): ${opened.allowedBecause}`);
  const { facts: gateway, https } = await findGateway(kube, { namespace: settings.GATEWAY_NAMESPACE, service: settings.GATEWAY_SERVICE });
  const istio = await detectIstio(kube, gateway);
  log(`existing: Istio ${istio.version ?? 'unknown'}, from ${istio.versionSource}; revision ${istio.revision} (${istio.servesGatewayBecause}); ${istio.networkingVersion}`);
  const warning = supportWarning(istio.version);
  if (warning) log(`existing: warning: ${warning}`);
  const address = https.loadBalancer ? `, address ${https.loadBalancer}` : '';
  log(
    `existing: gateway Service ${gateway.namespace}/${gateway.service} (pods istio=${gateway.selector}, ${gateway.deployment ?? 'no Deployment found'}), ` +
      `type ${https.type}, https ${https.port} -> ${https.targetPort ?? '?'}${https.nodePort ? `, NodePort ${https.nodePort}` : ''}${address}`,
  );
  log(`existing: ${profileLine(gateway, settings.PROFILE)}`);

  const lock = await takeRunLock(kube, settings.LOCK_WAIT_MS, (line) => log(`existing: ${line}`));
  const stopRenewing = lock.keepRenewing((error) => log(`existing: warning: the run's lock was lost: ${error instanceof Error ? error.message : String(error)}`));
  const giveBack = async () => {
    stopRenewing();
    await lock.release();
  };
  let httpbin: HttpbinDeployment;
  try {
    httpbin = await ensureHttpbin(kube, SAMPLE_NAMESPACE, settings.WAIT_BUDGET_MS);
  } catch (error) {
    await giveBack();
    throw error;
  }
  const namespace = SAMPLE_NAMESPACE;
  log(
    httpbin.created.length > 0
      ? `existing: deployed httpbin in ${namespace} (${httpbin.created.map((r) => r.kind).join(', ')}; labelled as the suite's, removed afterwards)`
      : `existing: httpbin is deployed in ${namespace} already: used as it is, left in place`,
  );
  return {
    ...opened,
    kubernetesVersion: kube.serverVersion,
    istio,
    gateway,
    https,
    httpbin,
    lock,
    suiteEnv: { KUBE_CONTEXT: opened.context, GATEWAY_NAMESPACE: gateway.namespace, GATEWAY_SERVICE: gateway.service },
    async redeployHttpbin() {
      const again = await ensureHttpbin(kube, namespace, settings.WAIT_BUDGET_MS);
      const key = (ref: ObjectRef) => `${ref.kind} ${ref.namespace}/${ref.name}`;
      for (const ref of again.created) if (!httpbin.created.some((mine) => key(mine) === key(ref))) httpbin.created.push(ref);
    },
    async release() {
      try {
        const removed = await removeHttpbin(kube, httpbin.created);
        if (removed.length > 0) log(`existing: httpbin this run deployed: ${removed.join(', ')}`);
      } finally {
        await giveBack();
      }
    },
  };
}
