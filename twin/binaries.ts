// The control plane's binaries from twin/build: built on demand for `npm run twin`, or only looked
// up (never built) for the tests, which must not start a cold Go build.
import fs from 'node:fs';
import { UsageError } from '../helpers/config';
import { binaryPath, ensureBinaries, type TwinBinary } from './build';
import type { ControlPlaneBinaries } from './control-plane/start';

const required = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy', 'kwok'] as const satisfies readonly TwinBinary[];

function assemble(paths: Record<(typeof required)[number], string>, kubeletStream: string | undefined): ControlPlaneBinaries {
  return {
    etcd: paths.etcd,
    kubeApiserver: paths['kube-apiserver'],
    kubeControllerManager: paths['kube-controller-manager'],
    kubeScheduler: paths['kube-scheduler'],
    kubeProxy: paths['kube-proxy'],
    kwok: paths.kwok,
    kubeletStream,
  };
}

/**
 * Builds what is missing (progress on stderr). twin-kubelet-stream is optional: when it cannot be
 * built the twin starts without it, and `log` says so.
 */
export async function ensureControlPlaneBinaries(log: (line: string) => void, signal?: AbortSignal): Promise<ControlPlaneBinaries> {
  const paths = await ensureBinaries(required, { signal });
  let kubeletStream: string | undefined;
  try {
    kubeletStream = (await ensureBinaries(['twin-kubelet-stream'], { signal }))['twin-kubelet-stream'];
  } catch (error) {
    log(`twin-kubelet-stream could not be built, starting without it: ${(error as Error).message.split('\n')[0]}`);
  }
  return assemble(paths, kubeletStream);
}

/** The binaries already in the cache; a UsageError naming the missing ones and how to build them. */
export function cachedControlPlaneBinaries(): ControlPlaneBinaries {
  const paths = {} as Record<(typeof required)[number], string>;
  const missing: string[] = [];
  for (const name of required) {
    paths[name] = binaryPath(name);
    if (!fs.existsSync(paths[name])) missing.push(name);
  }
  if (missing.length > 0) {
    throw new UsageError(`the twin's binaries are not built (${missing.join(', ')} missing): run npm run twin:build first (a cold build takes a while)`);
  }
  const kubeletStream = binaryPath('twin-kubelet-stream');
  return assemble(paths, fs.existsSync(kubeletStream) ? kubeletStream : undefined);
}

/** kubectl from the build cache, else the machine's (`kubectl` on PATH), else undefined. */
export function cachedKubectl(): string | undefined {
  const built = binaryPath('kubectl');
  return fs.existsSync(built) ? built : undefined;
}
