// The twin as a conformance target: the real control plane with the pod runner, real Istio
// installed by istioctl with the doc's gateway overlay (or the snapshot of such an install), and the httpbin sample deployed (labelled
// as the suite's, so SG-X2 removes it as the doc does). The twin is a cluster this run created, so
// it marks it with the existing target's consent marker itself (`npm run cleanup` and
// TARGET=existing KUBE_CONTEXT=twin then work on it as on a cluster a user marked).
import path from 'node:path';
import type { Settings } from '../../helpers/config';
import { formatDuration, heartbeat } from '../../helpers/progress';
import { conformanceTwinPaths } from './paths';
import { apply, connect, type KubeClient } from '../../helpers/kube';
import { consentMarker } from '../existing/guard';
import { applyHttpbin, type HttpbinSample } from '../httpbin';
import { startTwin, type Twin } from '../../twin';
import { ensureControlPlaneBinaries } from '../../twin/binaries';
import { writeEnvoyLauncher } from '../../twin/istio/envoy-stand-in';
import { installIstio, type IstioInstall } from '../../twin/istio/install';
import { podRunnerPlugin } from '../../twin/pods';

export type { HttpbinSample };

export interface TwinTarget {
  twin: Twin;
  stateDir: string;
  kubeconfig: string;
  istioVersion: string;
  kubernetesVersion: string;
  release(): Promise<void>;
}

export interface TwinTargetOptions {
  /** Default: the cache's state/conformance. */
  stateDir?: string;
  /** The active-faults file the stand-in and the pod runner read (rehearsals only). */
  faultsFile?: string;
}

export async function startTwinTarget(settings: Settings, log: (line: string) => void, options: TwinTargetOptions = {}): Promise<TwinTarget> {
  const stateDir = options.stateDir ?? conformanceTwinPaths(settings).stateDir;
  const started = await startTwinWithIstio(settings, { stateDir, faultsFile: options.faultsFile, log });
  const { twin, istio } = started;
  return { twin, stateDir, kubeconfig: twin.kubeconfig, istioVersion: istio!.release, kubernetesVersion: twin.kubeVersion, release: () => twin.stop() };
}

export interface TwinWithIstioOptions {
  stateDir: string;
  log: (line: string) => void;
  faultsFile?: string;
  /** Where to write a copy of the admin kubeconfig. */
  kubeconfigOut?: string;
  /** Install Istio (default true) and deploy the httpbin sample (default true). */
  istio?: boolean;
  httpbin?: boolean;
  /** Start milestones of the control plane. */
  progress?: (line: string) => void;
  signal?: AbortSignal;
  /** Where Istio install snapshots live (default: the cache's twin/istio-snapshots; setting TWIN_ISTIO_INSTALL=istioctl: none). */
  snapshotDir?: string;
}

export interface TwinWithIstio {
  twin: Twin;
  istio?: IstioInstall;
}

/**
 * The one way to start the twin with Istio: the control plane with the pod runner, then Istio
 * (istioctl, or the snapshot of an earlier istioctl install) and the httpbin sample at once, with
 * a heartbeat while it waits. The twin is a cluster the suite made: it carries the consent marker
 * the existing target asks for. A failure stops what was started.
 */
export async function startTwinWithIstio(settings: Settings, options: TwinWithIstioOptions): Promise<TwinWithIstio> {
  const { stateDir, log } = options;
  const binaries = await ensureControlPlaneBinaries(log, options.signal);
  const phase = { now: 'the control plane' };
  const started = Date.now();
  const stopBeat = heartbeat((elapsed) => log(`twin: still starting (${formatDuration(elapsed)}): ${phase.now}`));
  try {
    const twin = await startTwin({
      stateDir,
      binaries,
      kubeconfigOut: options.kubeconfigOut,
      podRunner: podRunnerPlugin({
        stateDir,
        standIns: { envoy: writeEnvoyLauncher(path.join(stateDir, 'istio'), undefined, options.faultsFile) },
        faultsFile: options.faultsFile,
      }),
      log,
      progress: options.progress,
      signal: options.signal,
    });
    try {
      const kube = await connect({ kubeconfigPath: twin.kubeconfig });
      await apply(kube, consentMarker());
      phase.now = [options.istio !== false ? 'Istio (CRDs, istiod, the ingress gateway)' : '', options.httpbin !== false ? 'the httpbin sample' : ''].filter(Boolean).join(' and ');
      // httpbin runs without a sidecar in a namespace Istio does not inject, so it needs nothing of
      // Istio's: both start at once.
      const [istio] = await Promise.all([
        options.istio !== false ? installIstioOnTwin(settings, twin, kube, log, options) : undefined,
        options.httpbin !== false ? deployHttpbin(kube) : undefined,
      ]);
      log(`twin: ready in ${formatDuration(Date.now() - started)}`);
      return { twin, istio };
    } catch (error) {
      await twin.stop();
      throw error;
    }
  } finally {
    stopBeat();
  }
}

async function installIstioOnTwin(settings: Settings, twin: Twin, kube: KubeClient, log: (line: string) => void, options: TwinWithIstioOptions): Promise<IstioInstall> {
  const snapshotDir = settings.TWIN_ISTIO_INSTALL === 'snapshot' ? (options.snapshotDir ?? path.resolve(settings.CACHE_DIR, 'twin', 'istio-snapshots')) : undefined;
  const installed = await installIstio(twin, { release: settings.TWIN_ISTIO, snapshotDir, kube, signal: options.signal, log: (line) => log(`twin: ${line}`), progress: options.progress });
  const how = installed.via === 'snapshot' ? `restored from the snapshot of an earlier istioctl install (${path.basename(installed.snapshot!)}; TWIN_ISTIO_INSTALL=istioctl runs istioctl)` : installed.snapshot ? 'installed by istioctl (snapshot recorded for the next start)' : 'installed by istioctl';
  log(`twin: Istio ${installed.release} ${how} in ${(installed.ms / 1000).toFixed(1)} s`);
  return installed;
}

/** The httpbin sample in the doc's namespace (targets/httpbin.ts), waited for as long as the twin's start may take. */
export async function deployHttpbin(kube: KubeClient, sample: HttpbinSample = 'current'): Promise<void> {
  await applyHttpbin(kube, 'default', HTTPBIN_BUDGET_MS, sample);
}

const HTTPBIN_BUDGET_MS = 120_000;
