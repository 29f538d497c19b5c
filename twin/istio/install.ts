// Installs Istio on the twin as on any cluster: the real `istioctl install` at the pinned release,
// with the gateway overlay the kind target uses (fixtures/istio/gateway-overlay.yaml). istioctl
// waits for istiod and the gateway to be Ready, which on the twin means their real readiness
// probes passed (the pod runner gates Ready on them).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { ensureBinaries, selectedIstio } from '../build';
import type { Twin } from '../index';

export const gatewayOverlay = path.resolve(__dirname, '../../fixtures/istio/gateway-overlay.yaml');

export interface IstioInstallOptions {
  /** istioctl to run (default: twin/build's, built on first use). */
  istioctl?: string;
  /** A release named in twin/versions.json (default: setting TWIN_ISTIO, else the file's default). */
  release?: string;
  /** Kill istioctl after this long (default 5 min: a cold first start builds nothing, but is slow). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface IstioInstall {
  release: string;
  hub: string;
  tag: string;
  ms: number;
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
  await runIstioctl(istioctl, installArgs(twin.kubeconfig, release.hub, release.tag), options);
  return { release: name, hub: release.hub, tag: release.tag, ms: Date.now() - started };
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
