// Installs Istio on the twin as on any cluster: the real `istioctl install` at the pinned release,
// with the gateway overlay the kind target uses (fixtures/istio/gateway-overlay.yaml). istioctl
// waits for istiod and the gateway to be Ready, which on the twin means their real readiness
// probes passed (the pod runner gates Ready on them).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureBinaries, selectedIstio } from '../build';
import type { Twin } from '../index';
import type { KubeClient } from '../../helpers/kube';
import { captureInstall, readSnapshot, restoreInstall, snapshotFile as snapshotFileOf, snapshotKey, writeSnapshot } from './snapshot';

export const gatewayOverlay = path.resolve(__dirname, '../../fixtures/istio/gateway-overlay.yaml');

export interface IstioInstallOptions {
  /** istioctl to run (default: twin/build's, built on first use). */
  istioctl?: string;
  /** A release named in twin/versions.json (default: setting TWIN_ISTIO, else the file's default). */
  release?: string;
  /** Kill istioctl after this long (default 5 min: a cold first start builds nothing, but is slow). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Where install snapshots live. With it, a snapshot of this key is restored instead of running
   * istioctl, and an istioctl install records one. Needs `kube`.
   */
  snapshotDir?: string;
  kube?: KubeClient;
  /** Says when a snapshot could not be restored (istioctl then installs over what was applied). */
  log?: (line: string) => void;
  /** The restore's waves, with their times. */
  progress?: (line: string) => void;
}

export interface IstioInstall {
  release: string;
  hub: string;
  tag: string;
  ms: number;
  /** How Istio got there: istioctl ran, or a snapshot of an earlier istioctl install was restored. */
  via: 'istioctl' | 'snapshot';
  /** The snapshot file restored or written (with snapshotDir). */
  snapshot?: string;
}

/** The `istioctl install` arguments: the overlay plus the release's hub and tag. */
export function installArgs(kubeconfig: string, hub: string, tag: string): string[] {
  return ['install', '-y', '-f', gatewayOverlay, '--set', `hub=${hub}`, '--set', `tag=${tag}`, '--kubeconfig', kubeconfig];
}

export async function installIstio(twin: Pick<Twin, 'kubeconfig'>, options: IstioInstallOptions = {}): Promise<IstioInstall> {
  const started = Date.now();
  // One release for istioctl, its hub and tag, and (through TWIN_ISTIO) the pods' binaries.
  const { name, release } = selectedIstio({ istio: options.release });
  const istioctl = options.istioctl ?? (await ensureBinaries(['istioctl'], { istio: name, signal: options.signal })).istioctl;
  const args = installArgs(twin.kubeconfig, release.hub, release.tag);
  const done = (via: IstioInstall['via'], snapshot?: string): IstioInstall => ({ release: name, hub: release.hub, tag: release.tag, ms: Date.now() - started, via, snapshot });
  if (!options.snapshotDir || !options.kube) {
    await runIstioctl(istioctl, args, options);
    return done('istioctl');
  }
  const kube = options.kube;
  const key = snapshotKey({
    release: name,
    hub: release.hub,
    tag: release.tag,
    kubernetesVersion: kube.serverVersion,
    args: args.slice(0, args.indexOf('--kubeconfig')),
    overlayFile: gatewayOverlay,
    istioctl,
  });
  const snapshot = readSnapshot(options.snapshotDir, key);
  if (snapshot) {
    try {
      await restoreInstall(kube, snapshot, options.timeoutMs ?? 300_000, options.progress);
      return done('snapshot', snapshotFileOf(options.snapshotDir, key));
    } catch (error) {
      // istioctl's server-side applies converge over whatever the restore got to.
      options.signal?.throwIfAborted();
      options.log?.(`the Istio install snapshot ${snapshotFileOf(options.snapshotDir, key)} could not be restored (${String((error as Error).message ?? error).split('\n')[0]}): running istioctl install instead`);
      fs.rmSync(snapshotFileOf(options.snapshotDir, key), { force: true });
    }
  }
  await runIstioctl(istioctl, args, options);
  return done('istioctl', writeSnapshot(options.snapshotDir, await captureInstall(kube, key, name)));
}

function runIstioctl(istioctl: string, args: string[], options: Pick<IstioInstallOptions, 'timeoutMs' | 'signal'>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      istioctl,
      args,
      { timeout: options.timeoutMs ?? 300_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8', signal: options.signal },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        // istioctl reports its errors on stdout and stderr both; the tail says what it waited for.
        const output = `${stdout}\n${stderr}`.trim().split('\n').slice(-15).join('\n');
        reject(new Error(`istioctl ${args.slice(0, 2).join(' ')} failed (${error.killed ? 'timed out' : `exit ${String(error.code)}`}):\n${output}`));
      },
    );
  });
}
