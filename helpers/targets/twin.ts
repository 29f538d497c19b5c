// The twin as a conformance target: the real control plane with the pod runner, real Istio
// installed by istioctl with the doc's gateway overlay, and the httpbin sample deployed (labelled
// as the suite's, so SG-X2 removes it as the doc does).
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { Settings } from '../config';
import { apply, connect, waitForDeployment, type KubeClient, type KubeObject } from '../kube';
import { startTwin, type Twin } from '../../twin';
import { ensureControlPlaneBinaries } from '../../twin/binaries';
import { writeEnvoyLauncher } from '../../twin/istio/envoy-stand-in';
import { installIstio } from '../../twin/istio/install';
import { podRunnerPlugin } from '../../twin/pods';

const httpbinManifests = {
  /** Istio's current sample: go-httpbin. */
  current: path.resolve(__dirname, '../../fixtures/httpbin/httpbin.yaml'),
  /** The sample of the doc's time: the Python httpbin, whose teapot is ASCII art. */
  old: path.resolve(__dirname, '../../fixtures/httpbin/httpbin-old.yaml'),
};
export type HttpbinSample = keyof typeof httpbinManifests;

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
    const istio = await installIstio(twin, { release: settings.TWIN_ISTIO });
    log(`twin: Istio ${istio.release} installed in ${(istio.ms / 1000).toFixed(1)} s`);
    await deployHttpbin(await connect({ kubeconfigPath: twin.kubeconfig }));
    return { twin, stateDir, kubeconfig: twin.kubeconfig, istioVersion: istio.release, kubernetesVersion: twin.kubeVersion, release: () => twin.stop() };
  } catch (error) {
    await twin.stop();
    throw error;
  }
}

/** Applies the httpbin sample (labelled as the suite's, so SG-X2 removes it as the doc does) and waits for it. */
export async function deployHttpbin(kube: KubeClient, sample: HttpbinSample = 'current'): Promise<void> {
  for (const document of parseAllDocuments(readFileSync(httpbinManifests[sample], 'utf8'))) {
    const object = document.toJS() as KubeObject | null;
    if (object) await apply(kube, { ...object, metadata: { namespace: 'default', ...object.metadata } });
  }
  await waitForDeployment(kube, { namespace: 'default', name: 'httpbin' });
}
