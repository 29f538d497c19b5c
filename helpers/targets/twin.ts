// The twin as a conformance target: the real control plane with the pod runner, real Istio
// installed by istioctl with the doc's gateway overlay, and the httpbin sample deployed (labelled
// as the suite's, so SG-X2 removes it as the doc does).
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { Settings } from '../config';
import { apply, connect, waitForDeployment, type KubeObject } from '../kube';
import { startTwin } from '../../twin';
import { ensureControlPlaneBinaries } from '../../twin/binaries';
import { writeEnvoyLauncher } from '../../twin/istio/envoy-stand-in';
import { installIstio } from '../../twin/istio/install';
import { podRunnerPlugin } from '../../twin/pods';

const httpbinManifest = path.resolve(__dirname, '../../fixtures/httpbin/httpbin.yaml');

export interface TwinTarget {
  kubeconfig: string;
  istioVersion: string;
  kubernetesVersion: string;
  release(): Promise<void>;
}

export async function startTwinTarget(settings: Settings, log: (line: string) => void): Promise<TwinTarget> {
  const stateDir = path.resolve(settings.CACHE_DIR, 'twin', 'state', 'conformance');
  const binaries = await ensureControlPlaneBinaries(log);
  const twin = await startTwin({
    stateDir,
    binaries,
    podRunner: podRunnerPlugin({ stateDir, standIns: { envoy: writeEnvoyLauncher(path.join(stateDir, 'istio')) } }),
    log,
  });
  try {
    const istio = await installIstio(twin, { release: settings.TWIN_ISTIO });
    log(`twin: Istio ${istio.release} installed in ${(istio.ms / 1000).toFixed(1)} s`);
    const kube = await connect({ kubeconfigPath: twin.kubeconfig });
    for (const document of parseAllDocuments(readFileSync(httpbinManifest, 'utf8'))) {
      const object = document.toJS() as KubeObject | null;
      if (object) await apply(kube, { ...object, metadata: { namespace: 'default', ...object.metadata } });
    }
    await waitForDeployment(kube, { namespace: 'default', name: 'httpbin' });
    return { kubeconfig: twin.kubeconfig, istioVersion: istio.release, kubernetesVersion: twin.kubeVersion, release: () => twin.stop() };
  } catch (error) {
    await twin.stop();
    throw error;
  }
}
