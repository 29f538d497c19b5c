// The twin as a conformance target: the real control plane with the pod runner, real Istio
// installed by istioctl with the doc's gateway overlay, and the httpbin sample deployed (labelled
// as the suite's, so SG-X2 removes it as the doc does). The twin is a cluster this run created, so
// it marks it with the existing target's consent marker itself (`npm run cleanup` and
// TARGET=existing KUBE_CONTEXT=twin then work on it as on a cluster a user marked).
import path from 'node:path';
import type { Settings } from '../config';
import { formatDuration, heartbeat } from '../progress';
import { apply, connect, waitForDeployment, type KubeClient } from '../kube';
import { consentMarker } from './existing-guard';
import { httpbinObjects, type HttpbinSample } from './httpbin-sample';
import { startTwin, type Twin } from '../../twin';
import { ensureControlPlaneBinaries } from '../../twin/binaries';
import { writeEnvoyLauncher } from '../../twin/istio/envoy-stand-in';
import { installIstio } from '../../twin/istio/install';
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
  const stateDir = options.stateDir ?? path.resolve(settings.CACHE_DIR, 'twin', 'state', 'conformance');
  const binaries = await ensureControlPlaneBinaries(log);
  const phase = { now: 'the control plane' };
  const started = Date.now();
  const stopBeat = heartbeat((elapsed) => log(`twin: still starting (${formatDuration(elapsed)}): ${phase.now}`));
  try {
    const target = await startWithIstio(settings, stateDir, binaries, options, log, phase);
    log(`twin: ready in ${formatDuration(Date.now() - started)}`);
    return target;
  } finally {
    stopBeat();
  }
}

async function startWithIstio(
  settings: Settings,
  stateDir: string,
  binaries: Awaited<ReturnType<typeof ensureControlPlaneBinaries>>,
  options: TwinTargetOptions,
  log: (line: string) => void,
  phase: { now: string },
): Promise<TwinTarget> {
  const twin = await startTwin({
    stateDir,
    binaries,
    podRunner: podRunnerPlugin({
      stateDir,
      standIns: { envoy: writeEnvoyLauncher(path.join(stateDir, 'istio'), undefined, options.faultsFile) },
      faultsFile: options.faultsFile,
    }),
    log,
  });
  try {
    phase.now = 'istioctl install (CRDs, istiod, the ingress gateway) and the httpbin sample';
    const kube = await connect({ kubeconfigPath: twin.kubeconfig });
    // The twin is a cluster the suite made: it carries the consent marker the existing target asks for.
    await apply(kube, consentMarker());
    // httpbin runs without a sidecar in a namespace Istio does not inject, so it needs nothing of
    // Istio's: both start at once.
    const [istio] = await Promise.all([
      installIstio(twin, { release: settings.TWIN_ISTIO }).then((installed) => {
        log(`twin: Istio ${installed.release} installed in ${(installed.ms / 1000).toFixed(1)} s`);
        return installed;
      }),
      deployHttpbin(kube),
    ]);
    return { twin, stateDir, kubeconfig: twin.kubeconfig, istioVersion: istio.release, kubernetesVersion: twin.kubeVersion, release: () => twin.stop() };
  } catch (error) {
    await twin.stop();
    throw error;
  }
}

/** Applies the httpbin sample (labelled as the suite's, so SG-X2 removes it as the doc does) and waits for it. */
export async function deployHttpbin(kube: KubeClient, sample: HttpbinSample = 'current'): Promise<void> {
  for (const object of httpbinObjects('default', sample)) await apply(kube, object);
  await waitForDeployment(kube, { namespace: 'default', name: 'httpbin' });
}
