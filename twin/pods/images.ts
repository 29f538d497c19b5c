// The twin's image table: which local program stands in for which container image, and where that
// program sits in the pod's filesystem view. This is the one place to add an image.
//
// Kubernetes semantics for the command line: the container's `command` replaces the image's
// ENTRYPOINT, its `args` replace the image's CMD; args alone are appended to the ENTRYPOINT.
// Programs the twin builds are placed at /usr/local/bin/<name> in the view (a bind, the host's
// folder untouched), so `kubectl exec … -- pilot-agent request GET certs` finds them on PATH as in
// the real image; a command naming the image's own path for them (/bin/go-httpbin) is mapped too.
import type { V1Container } from '@kubernetes/client-node';
import { parseImageRef, type ImageRef } from './image-ref';

/** Where a file placed into the view comes from. */
export type InstallSource =
  /** a binary built by twin/build (ensureBinaries) */
  | { binary: string }
  /** a stand-in program another part of the twin provides (PodRunnerOptions.standIns) */
  | { standIn: string }
  /** a file on the host, by absolute path */
  | { file: string }
  /**
   * a file the real image ships, taken from the pinned Istio release's source (as twin:build copied
   * it); resolved when a pod starts, since the release follows the TWIN_ISTIO setting
   */
  | { istioSource: string };

export interface ImageProgram {
  /** The table's name for the program, used in messages. */
  name: string;
  /** Repository paths (registry and tag ignored) or patterns over that path. */
  match: (string | RegExp)[];
  /** The image's ENTRYPOINT and CMD. */
  entrypoint: string[];
  cmd: string[];
  /** Files placed into the pod's view (executables at their image paths). */
  install: { at: string; from: InstallSource }[];
  /** The image's ENV (the container's env wins). */
  env?: Record<string, string>;
  /** Last rewrite of the command line, for images whose real program cannot run here. */
  adapt?: (argv: string[]) => string[];
}

/** The PATH of Debian-like images (and of most images): also the default in the view. */
export const defaultPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const goHttpbin = '/usr/local/bin/go-httpbin';

/** The Python httpbin the old samples ship, as Debian packages it (python3-httpbin; the host's /usr is in every view). */
export const pythonHttpbinModule = '/usr/lib/python3/dist-packages/httpbin/core.py';

/**
 * The old httpbin samples (kennethreitz/httpbin, kong/httpbin) run the Python httpbin under
 * gunicorn on port 80 (`gunicorn -b 0.0.0.0:80 httpbin:app -k gevent`). The twin runs the same
 * Python httpbin (Debian's python3-httpbin; its /status/418 draws the ASCII teapot) with its own
 * server, on the port gunicorn was told to bind.
 */
export function gunicornToPythonHttpbin(argv: string[]): string[] {
  let port = '80';
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const bind = arg === '-b' || arg === '--bind' ? argv[i + 1] : arg.startsWith('--bind=') ? arg.slice(7) : undefined;
    const found = bind?.match(/:(\d+)$/);
    if (found) port = found[1]!;
  }
  return ['/usr/bin/python3', '-m', 'httpbin.core', '--host', '0.0.0.0', '--port', port];
}

export const imageTable: ImageProgram[] = [
  {
    // The current Istio sample (samples/httpbin/httpbin.yaml): listens on 8080.
    name: 'go-httpbin',
    match: ['mccutchen/go-httpbin'],
    entrypoint: [goHttpbin],
    cmd: [],
    install: [{ at: goHttpbin, from: { binary: 'go-httpbin' } }],
  },
  {
    name: 'Python httpbin (the old gunicorn samples)',
    match: ['kong/httpbin', 'kennethreitz/httpbin'],
    entrypoint: [],
    cmd: ['gunicorn', '-b', '0.0.0.0:80', 'httpbin:app', '-k', 'gevent'],
    install: [],
    adapt: gunicornToPythonHttpbin,
  },
  {
    // General-purpose images: their commands (sh, sleep, ls, cat, curl…) are the host's.
    name: 'host commands (busybox-like)',
    match: ['busybox', 'alpine', /^(library\/)?(debian|ubuntu)$/],
    entrypoint: [],
    cmd: ['sh'],
    install: [],
  },
  {
    name: 'host curl',
    match: ['curlimages/curl'],
    entrypoint: ['curl'],
    cmd: [],
    install: [],
  },
  {
    // The cluster DNS (fixtures/twin/coredns.yaml): the CoreDNS twin/build builds.
    name: 'coredns',
    match: ['coredns/coredns', 'coredns'],
    entrypoint: ['/usr/local/bin/coredns'],
    cmd: [],
    install: [{ at: '/usr/local/bin/coredns', from: { binary: 'coredns' } }],
  },
  // Istio (issue 4). The real istiod and pilot-agent, built from istio.io/istio at the pinned
  // release; pilot-agent starts Envoy from proxyConfig.binaryPath (/usr/local/bin/envoy), where the
  // view holds the Envoy stand-in that another part of the twin provides (standIns.envoy).
  {
    name: 'pilot-discovery',
    match: [/(^|\/)istio[^/]*\/pilot$/],
    entrypoint: ['/usr/local/bin/pilot-discovery'],
    cmd: [],
    install: [{ at: '/usr/local/bin/pilot-discovery', from: { binary: 'pilot-discovery' } }],
  },
  {
    name: 'pilot-agent with the Envoy stand-in',
    match: [/(^|\/)istio[^/]*\/proxyv2$/],
    entrypoint: ['/usr/local/bin/pilot-agent'],
    cmd: [],
    // The proxyv2 image also ships the Envoy bootstrap template pilot-agent fills in
    // (tools/packaging/common/envoy_bootstrap.json in istio.io/istio's source, as its Dockerfile copies it).
    install: [
      { at: '/usr/local/bin/pilot-agent', from: { binary: 'pilot-agent' } },
      { at: '/usr/local/bin/envoy', from: { standIn: 'envoy' } },
      { at: '/var/lib/istio/envoy/envoy_bootstrap_tmpl.json', from: { istioSource: 'tools/packaging/common/envoy_bootstrap.json' } },
    ],
  },
];

export function findImageProgram(image: string, table: ImageProgram[] = imageTable): ImageProgram | undefined {
  const ref = parseImageRef(image);
  return table.find((entry) => entry.match.some((m) => matches(m, ref)));
}

function matches(pattern: string | RegExp, ref: ImageRef): boolean {
  return typeof pattern === 'string' ? ref.path === pattern || ref.path === `library/${pattern}` : pattern.test(ref.path);
}

/** Why a pod's image cannot run here, in the words of a kubelet's ErrImagePull message. */
export function unknownImageMessage(image: string, table: ImageProgram[] = imageTable): string {
  const known = [...new Set(table.flatMap((e) => e.match.map((m) => (typeof m === 'string' ? m : m.source))))];
  return `Failed to pull image "${image}": the twin has no program for this image (twin/pods/images.ts knows: ${known.join(', ')})`;
}

/** The command line a container runs, as a container runtime builds it from image and spec. */
export function containerArgv(program: ImageProgram, container: Pick<V1Container, 'command' | 'args'>): string[] {
  const command = container.command?.length ? container.command : undefined;
  let argv: string[];
  if (command) argv = [...command, ...(container.args ?? [])];
  else argv = [...program.entrypoint, ...(container.args?.length ? container.args : program.cmd)];
  if (program.adapt) argv = program.adapt(argv);
  // A command naming the real image's path of an installed program (e.g. /bin/go-httpbin).
  const first = argv[0];
  if (first !== undefined) {
    const installed = program.install.find((i) => baseName(i.at) === baseName(first));
    if (installed && first.includes('/')) argv[0] = installed.at;
  }
  if (argv.length === 0) throw new Error(`image program ${program.name}: no command given and the image has none`);
  return argv;
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** Binaries (twin/build names) and stand-ins a program needs before it can start. */
export function neededSources(program: ImageProgram): { binaries: string[]; standIns: string[] } {
  const binaries: string[] = [];
  const standIns: string[] = [];
  for (const item of program.install) {
    if ('binary' in item.from) binaries.push(item.from.binary);
    else if ('standIn' in item.from) standIns.push(item.from.standIn);
  }
  return { binaries, standIns };
}
