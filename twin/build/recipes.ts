// What each of the twin's build units is made of: which binaries, from which Go module at which
// version, with which go command. Pure data from the versions file; running it is build.ts's job.
import path from 'node:path';
import type { IstioRelease, TwinVersions } from './versions';

export const GO_DIR = path.join(__dirname, 'go');

export const TWIN_BINARIES = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kube-proxy',
  'kubectl',
  'twin-kubelet-stream',
  'kwok',
  'coredns',
  'go-httpbin',
  'istioctl',
  'pilot-discovery',
  'pilot-agent',
] as const;
export type TwinBinary = (typeof TWIN_BINARIES)[number];

export const COMPONENTS = ['etcd', 'kube', 'kubectl', 'twin-kubelet-stream', 'kwok', 'coredns', 'go-httpbin', 'istio'] as const;
export type Component = (typeof COMPONENTS)[number];

/**
 * One go invocation. `{out}` in args or env stands for the folder the binaries go to; `{buildDate}`
 * for the release time of the module `buildDateOf` names (so rebuilds are byte-identical, and the
 * cache key needs no go call to compute).
 */
export interface GoStep {
  args: string[];
  buildDateOf?: string;
  /** Module folder for wrapper-module builds; none for `go install pkg@version`. */
  cwd?: string;
  env: Record<string, string>;
  /** File names this step writes into `{out}`. */
  produces: string[];
}

export interface BuildUnit {
  component: Component;
  /** The pinned version: the cache folder is `<component>@<version>`. */
  version: string;
  /** For people: `istio 1.31-dev`. */
  label: string;
  /** Each binary's file name in the unit's folder. */
  files: Partial<Record<TwinBinary, string>>;
  /** Symlinks made after the build: name -> target file (multi-call binaries). */
  links: Record<string, string>;
  steps: GoStep[];
  /** Our own Go source files (absolute) whose content is part of the cache key. */
  sources: string[];
  /**
   * Files of the module's source the unit ships beside its binaries, under `src/<path>` in its
   * folder: what an image holds besides programs. Copied at build time, so a run needs no Go module cache.
   */
  sourceFiles?: { module: string; version: string; paths: string[] };
}

/** The folder of a unit's copied source files, inside the unit's folder. */
export const SOURCE_FILES_DIR = 'src';

// Files of istio.io/istio the proxyv2 image ships that are not binaries: the Envoy bootstrap
// template pilot-agent fills in (its Dockerfile copies it to /var/lib/istio/envoy/envoy_bootstrap_tmpl.json).
export const ISTIO_SOURCE_FILES = ['tools/packaging/common/envoy_bootstrap.json'];

// Release builds: no cgo, no local paths, no symbol tables or DWARF.
const base = { env: { CGO_ENABLED: '0' } };
const trimmed = ['-trimpath'];
// Our wrapper modules sit in this git checkout: without this, go stamps (or fails to read) its VCS state.
const inCheckout = [...trimmed, '-buildvcs=false'];
const strip = '-s -w';

function toolchainEnv(toolchain: string | undefined): Record<string, string> {
  return toolchain ? { ...base.env, GOTOOLCHAIN: toolchain } : { ...base.env };
}

/** `-X 'pkg.name=value'` pairs, quoted as the go command's flag parser wants them. */
function stamps(pkg: string, values: Record<string, string>): string {
  return Object.entries(values)
    .map(([name, value]) => `-X '${pkg}.${name}=${value}'`)
    .join(' ');
}

/** Kubernetes' own version stamping (hack/lib/version.sh): both client-go's and component-base's. */
export function kubeVersionLdflags(kubernetes: TwinVersions['kubernetes'], buildDate: string): string {
  const [major, minor] = kubernetes.version.replace(/^v/, '').split('.');
  const values: Record<string, string> = {
    buildDate,
    gitVersion: kubernetes.version,
    gitMajor: major!,
    gitMinor: minor!,
    gitTreeState: 'clean',
    ...(kubernetes.gitCommit ? { gitCommit: kubernetes.gitCommit } : {}),
  };
  return [stamps('k8s.io/client-go/pkg/version', values), stamps('k8s.io/component-base/version', values)].join(' ');
}

/** Istio's version stamping (common/scripts/report_build_info.sh); hub and tag are what `istioctl install` renders. */
export function istioVersionLdflags(release: IstioRelease): string {
  return stamps('istio.io/istio/pkg/version', {
    buildVersion: release.buildVersion,
    buildGitRevision: release.gitRevision,
    buildStatus: 'Clean',
    buildTag: release.tag,
    buildHub: release.hub,
    buildOS: 'linux',
    buildArch: process.arch === 'arm64' ? 'arm64' : 'amd64',
  });
}

export function buildUnits(versions: TwinVersions, istio: { name: string; release: IstioRelease }): BuildUnit[] {
  const kubeDir = path.join(GO_DIR, 'kube');
  const etcdDir = path.join(GO_DIR, 'etcd');
  const corednsDir = path.join(GO_DIR, 'coredns');
  const k8s = versions.kubernetes;
  const kubeLdflags = `${strip} ${kubeVersionLdflags(k8s, '{buildDate}')}`;
  const kubeRelease = `k8s.io/kubernetes@${k8s.version}`;
  const kubeModule = [path.join(kubeDir, 'go.mod'), path.join(kubeDir, 'go.sum')];
  const server = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy'] as const;
  const goInstall = (pkg: string, version: string, toolchain: string | undefined, name: string): GoStep => ({
    args: ['install', ...trimmed, '-ldflags', strip, `${pkg}@${version}`],
    env: { ...toolchainEnv(toolchain), GOBIN: '{out}' },
    produces: [name],
  });
  const istioInstall = (tags: string, names: string[], pkgs: string[]): GoStep => ({
    args: ['install', ...trimmed, '-tags', tags, '-ldflags', `${strip} ${istioVersionLdflags(istio.release)}`, ...pkgs.map((p) => `${istio.release.module}/${p}@${istio.release.version}`)],
    env: { ...toolchainEnv(istio.release.toolchain), GOBIN: '{out}' },
    produces: names,
  });

  return [
    {
      component: 'etcd',
      version: versions.etcd.version,
      label: `etcd ${versions.etcd.version}`,
      files: { etcd: 'etcd' },
      links: {},
      steps: [{ args: ['build', ...inCheckout, '-ldflags', strip, '-o', '{out}/etcd', '.'], cwd: etcdDir, env: toolchainEnv(versions.etcd.toolchain), produces: ['etcd'] }],
      sources: [path.join(etcdDir, 'go.mod'), path.join(etcdDir, 'go.sum'), path.join(etcdDir, 'main.go')],
    },
    {
      component: 'kube',
      version: k8s.version,
      label: `kube ${k8s.version}`,
      files: Object.fromEntries(server.map((name) => [name, name])),
      links: Object.fromEntries(server.map((name) => [name, 'kube'])),
      steps: [{ args: ['build', ...inCheckout, '-ldflags', kubeLdflags, '-o', '{out}/kube', './cmd/kube'], buildDateOf: kubeRelease, cwd: kubeDir, env: toolchainEnv(k8s.toolchain), produces: ['kube'] }],
      sources: [...kubeModule, path.join(kubeDir, 'cmd', 'kube', 'main.go')],
    },
    {
      component: 'kubectl',
      version: k8s.version,
      label: `kubectl ${k8s.version}`,
      files: { kubectl: 'kubectl' },
      links: {},
      steps: [{ args: ['build', ...inCheckout, '-ldflags', kubeLdflags, '-o', '{out}/kubectl', 'k8s.io/kubernetes/cmd/kubectl'], buildDateOf: kubeRelease, cwd: kubeDir, env: toolchainEnv(k8s.toolchain), produces: ['kubectl'] }],
      sources: kubeModule,
    },
    {
      component: 'twin-kubelet-stream',
      version: k8s.version,
      label: `twin-kubelet-stream (k8s ${k8s.version})`,
      files: { 'twin-kubelet-stream': 'twin-kubelet-stream' },
      links: {},
      steps: [{ args: ['build', ...inCheckout, '-ldflags', strip, '-o', '{out}/twin-kubelet-stream', './cmd/twin-kubelet-stream'], cwd: kubeDir, env: toolchainEnv(k8s.toolchain), produces: ['twin-kubelet-stream'] }],
      sources: [...kubeModule, ...['main.go', 'hook.go', 'logs.go'].map((f) => path.join(kubeDir, 'cmd', 'twin-kubelet-stream', f))],
    },
    {
      component: 'kwok',
      version: versions.kwok.version,
      label: `kwok ${versions.kwok.version}`,
      files: { kwok: 'kwok' },
      links: {},
      steps: [goInstall(versions.kwok.package, versions.kwok.version, versions.kwok.toolchain, 'kwok')],
      sources: [],
    },
    {
      component: 'coredns',
      version: versions.coredns.version,
      label: `coredns ${versions.coredns.version}`,
      files: { coredns: 'coredns' },
      links: {},
      // Only the Corefile's plugins (go/coredns/main.go): about half the full build's compile work.
      steps: [{ args: ['build', ...inCheckout, '-ldflags', strip, '-o', '{out}/coredns', '.'], cwd: corednsDir, env: toolchainEnv(versions.coredns.toolchain), produces: ['coredns'] }],
      sources: ['go.mod', 'go.sum', 'main.go'].map((file) => path.join(corednsDir, file)),
    },
    {
      component: 'go-httpbin',
      version: versions.goHttpbin.version,
      label: `go-httpbin ${versions.goHttpbin.version}`,
      files: { 'go-httpbin': 'go-httpbin' },
      links: {},
      steps: [goInstall(versions.goHttpbin.package, versions.goHttpbin.version, versions.goHttpbin.toolchain, 'go-httpbin')],
      sources: [],
    },
    {
      component: 'istio',
      version: istio.release.version,
      label: `istio ${istio.name} (${istio.release.version})`,
      files: { istioctl: 'istioctl', 'pilot-discovery': 'pilot-discovery', 'pilot-agent': 'pilot-agent' },
      links: {},
      // Upstream's build tags (Makefile.core.mk): STANDARD_TAGS for istioctl and istiod, AGENT_TAGS for the agent.
      steps: [
        istioInstall('vtprotobuf,disable_pgv', ['istioctl', 'pilot-discovery'], ['istioctl/cmd/istioctl', 'pilot/cmd/pilot-discovery']),
        istioInstall('agent,disable_pgv,grpcnotrace,retrynotrace', ['pilot-agent'], ['pilot/cmd/pilot-agent']),
      ],
      sources: [],
      sourceFiles: { module: istio.release.module, version: istio.release.version, paths: ISTIO_SOURCE_FILES },
    },
  ];
}

/** The unit that provides a binary. */
export function unitOf(units: BuildUnit[], binary: TwinBinary): BuildUnit {
  const unit = units.find((u) => binary in u.files);
  if (!unit) throw new Error(`no build unit provides ${binary}`);
  return unit;
}
