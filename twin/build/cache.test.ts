import { describe, expect, test } from '@jest/globals';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../helpers/config';
import { cacheKey, cacheState, STAMP_FILE, unitDir } from './cache';
import { binaryPath, istioSourceFilePath, listUnits, selectBinaries, selectedIstio } from './index';
import { checkWrapperModules, replacedVersions, requiredVersion, wrapperMismatches } from './modules';
import { buildUnits, type BuildUnit, GO_DIR, ISTIO_SOURCE_FILES, TWIN_BINARIES, unitOf } from './recipes';
import { istioRelease, loadVersions, type TwinVersions } from './versions';
import { tempDirs } from '../../helpers/testing/temp-dirs';

const tempDir = tempDirs();

const versions = loadVersions();
const units = (v: TwinVersions = versions) => buildUnits(v, istioRelease(v));
const unit = (component: string, v?: TwinVersions) => units(v).find((u) => u.component === component)!;
const bumped = (edit: (v: TwinVersions) => void) => {
  const copy = structuredClone(versions);
  edit(copy);
  return copy;
};
const kubeGoMod = readFileSync(path.join(GO_DIR, 'kube', 'go.mod'), 'utf8');
const etcdGoMod = readFileSync(path.join(GO_DIR, 'etcd', 'go.mod'), 'utf8');
const corednsGoMod = readFileSync(path.join(GO_DIR, 'coredns', 'go.mod'), 'utf8');

describe('build units', () => {
  test('every binary comes from exactly one unit', () => {
    for (const binary of TWIN_BINARIES) expect(units().filter((u) => binary in u.files)).toHaveLength(1);
  });

  test('kube is one multi-call binary stamped as the pinned release', () => {
    const kube = unit('kube');
    expect(kube.links).toEqual({ 'kube-apiserver': 'kube', 'kube-controller-manager': 'kube', 'kube-scheduler': 'kube', 'kube-proxy': 'kube' });
    const ldflags = kube.steps[0]!.args[kube.steps[0]!.args.indexOf('-ldflags') + 1]!;
    expect(ldflags).toMatch(/^-s -w /);
    for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
      expect(ldflags).toContain(`-X '${pkg}.gitVersion=v1.36.3'`);
      expect(ldflags).toContain(`-X '${pkg}.gitMajor=1' -X '${pkg}.gitMinor=36' -X '${pkg}.gitTreeState=clean'`);
      expect(ldflags).toContain(`-X '${pkg}.buildDate={buildDate}'`);
    }
    expect(kube.steps[0]!).toMatchObject({ env: { CGO_ENABLED: '0' }, buildDateOf: 'k8s.io/kubernetes@v1.36.3' });
    expect(kube.steps[0]!.args).toContain('-trimpath');
  });

  test('istio is stamped with its version, hub and tag, with upstream build tags', () => {
    const istio = unit('istio');
    const [standard, agent] = istio.steps;
    expect(standard!.args).toEqual(expect.arrayContaining(['-tags', 'vtprotobuf,disable_pgv', 'istio.io/istio/istioctl/cmd/istioctl@v0.0.0-20260827124520-eed52ebb66ad']));
    expect(agent!.args).toEqual(expect.arrayContaining(['-tags', 'agent,disable_pgv,grpcnotrace,retrynotrace', 'istio.io/istio/pilot/cmd/pilot-agent@v0.0.0-20260827124520-eed52ebb66ad']));
    const ldflags = standard!.args[standard!.args.indexOf('-ldflags') + 1]!;
    expect(ldflags).toContain("-X 'istio.io/istio/pkg/version.buildVersion=1.31-dev'");
    expect(ldflags).toContain("-X 'istio.io/istio/pkg/version.buildHub=docker.io/istio'");
    expect(ldflags).toContain("-X 'istio.io/istio/pkg/version.buildTag=1.31-dev'");
    expect(ldflags).toContain("-X 'istio.io/istio/pkg/version.buildGitRevision=eed52ebb66ad'");
    expect(standard!.env).toMatchObject({ GOBIN: '{out}', CGO_ENABLED: '0' });
  });

  test('a toolchain pin becomes GOTOOLCHAIN for that unit only', () => {
    const v = bumped((x) => (x.kwok.toolchain = 'go1.27.3'));
    expect(unit('kwok', v).steps[0]!.env.GOTOOLCHAIN).toBe('go1.27.3');
    expect(unit('coredns', v).steps[0]!.env.GOTOOLCHAIN).toBeUndefined();
  });

  test('--only takes components and binaries', () => {
    expect(selectBinaries(['kube', 'kwok'], { cacheDir: '/c', istio: '1.31-dev' })).toEqual(['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy', 'kwok']);
    expect(selectBinaries(undefined, { cacheDir: '/c', istio: '1.31-dev' })).toEqual([...TWIN_BINARIES]);
    expect(() => selectBinaries(['kubelet'], { cacheDir: '/c', istio: '1.31-dev' })).toThrow(/^"kubelet" is not a twin binary or component: use etcd, kube, /);
  });
});

describe('cache folders and keys', () => {
  test('each unit has a folder <cache>/twin/bin/<component>@<version>', () => {
    expect(unitDir('/c', unit('kube'))).toBe('/c/twin/bin/kube@v1.36.3');
    expect(binaryPath('kube-apiserver', { cacheDir: '/c', istio: '1.31-dev' })).toBe('/c/twin/bin/kube@v1.36.3/kube-apiserver');
    expect(binaryPath('pilot-agent', { cacheDir: '/c', istio: '1.31-dev' })).toBe('/c/twin/bin/istio@v0.0.0-20260827124520-eed52ebb66ad/pilot-agent');
    expect(binaryPath('go-httpbin', { cacheDir: '/c', istio: '1.31-dev' })).toBe('/c/twin/bin/go-httpbin@v2.18.2/go-httpbin');
  });

  test('a new version changes only that unit key', () => {
    const before = Object.fromEntries(units().map((u) => [u.component, cacheKey(u)]));
    const after = Object.fromEntries(units(bumped((v) => (v.kwok.version = 'v0.9.0'))).map((u) => [u.component, cacheKey(u)]));
    expect(after.kwok).not.toBe(before.kwok);
    for (const component of Object.keys(before).filter((c) => c !== 'kwok')) expect(after[component]).toBe(before[component]);
    expect(cacheKey(unit('kwok'))).toBe(before.kwok); // stable
  });

  test('an edit of our own Go source changes the key of the programs built from it, and of no other', () => {
    const dir = tempDir('twin-key-');
    const copy = (u: BuildUnit): BuildUnit => ({
      ...u,
      sources: u.sources.map((file) => {
        const target = path.join(dir, path.relative(GO_DIR, file)); // the same layout as the checkout's
        mkdirSync(path.dirname(target), { recursive: true });
        writeFileSync(target, readFileSync(file));
        return target;
      }),
    });
    const stream = copy(unit('twin-kubelet-stream'));
    const kube = copy(unit('kube'));
    const [streamKey, kubeKey] = [cacheKey(stream), cacheKey(kube)];
    expect(streamKey).toBe(cacheKey(unit('twin-kubelet-stream'))); // same content, other folder: same key
    writeFileSync(stream.sources.find((f) => f.endsWith('hook.go'))!, '// edited\n', { flag: 'a' });
    expect(cacheKey(stream)).not.toBe(streamKey);
    expect(cacheKey(kube)).toBe(kubeKey);
    writeFileSync(kube.sources.find((f) => f.endsWith('go.sum'))!, '\n', { flag: 'a' });
    expect(cacheKey(kube)).not.toBe(kubeKey);
  });

  test("a unit's copied source files count as its files: without them it is not cached", () => {
    const cacheDir = tempDir('twin-cache-src-');
    const istio = unit('istio');
    const dir = unitDir(cacheDir, istio);
    mkdirSync(dir, { recursive: true });
    for (const name of Object.values(istio.files)) writeFileSync(path.join(dir, name), '');
    writeFileSync(path.join(dir, STAMP_FILE), JSON.stringify({ key: cacheKey(istio), label: istio.label, builtAt: '2026-11-27T00:00:00Z', seconds: 1, go: 'go1.26.8' }));
    expect(cacheState(cacheDir, istio).state).toBe('missing'); // binaries only, as built before the copies existed
    const bootstrap = path.join(dir, 'src', ISTIO_SOURCE_FILES[0]!);
    mkdirSync(path.dirname(bootstrap), { recursive: true });
    writeFileSync(bootstrap, '{}');
    expect(cacheState(cacheDir, istio).state).toBe('cached');
  });

  test('the state is missing, cached or stale from the stamp and the files', () => {
    const cacheDir = tempDir('twin-cache-');
    const kube = unit('kube');
    expect(cacheState(cacheDir, kube).state).toBe('missing');
    const dir = unitDir(cacheDir, kube);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'kube'), '');
    const stamp = { key: cacheKey(kube), label: kube.label, builtAt: '2026-11-27T00:00:00Z', seconds: 1, go: 'go1.26.8' };
    writeFileSync(path.join(dir, STAMP_FILE), JSON.stringify(stamp));
    expect(cacheState(cacheDir, kube).state).toBe('missing'); // the component symlinks are not there
    for (const name of Object.keys(kube.links)) writeFileSync(path.join(dir, name), '');
    expect(cacheState(cacheDir, kube)).toEqual({ state: 'cached', stamp });
    writeFileSync(path.join(dir, STAMP_FILE), JSON.stringify({ ...stamp, key: 'older' }));
    expect(cacheState(cacheDir, kube).state).toBe('stale');
  });
});

describe('a second Istio release beside the first', () => {
  const second = '1.31-alpha.b01690e6db7d';
  const secondVersion = 'v0.0.0-20260423205519-b01690e6db7d';
  const istioUnit = (name: string) => buildUnits(versions, istioRelease(versions, name)).find((u) => u.component === 'istio')!;
  const ldflagsOf = (u: BuildUnit) => u.steps.map((step) => step.args[step.args.indexOf('-ldflags') + 1]!);

  test('resolves to its own cache folder, for its binaries and its copied source files', () => {
    for (const name of ['istioctl', 'pilot-discovery', 'pilot-agent'] as const) {
      expect(binaryPath(name, { cacheDir: '/c', istio: second })).toBe(`/c/twin/bin/istio@${secondVersion}/${name}`);
      expect(binaryPath(name, { cacheDir: '/c', istio: '1.31-dev' })).toBe(`/c/twin/bin/istio@v0.0.0-20260827124520-eed52ebb66ad/${name}`);
    }
    expect(istioSourceFilePath(ISTIO_SOURCE_FILES[0]!, { cacheDir: '/c', istio: second })).toBe(`/c/twin/bin/istio@${secondVersion}/src/tools/packaging/common/envoy_bootstrap.json`);
    // The other units are the same for both releases: one Kubernetes, one cache.
    expect(binaryPath('kube-apiserver', { cacheDir: '/c', istio: second })).toBe(binaryPath('kube-apiserver', { cacheDir: '/c', istio: '1.31-dev' }));
  });

  test('is built from its own pseudo-version and stamped with its own version, revision and tag', () => {
    const unit2 = istioUnit(second);
    expect(unit2.label).toBe(`istio ${second} (${secondVersion})`);
    expect(unit2.steps.flatMap((step) => step.args.filter((arg) => arg.startsWith('istio.io/istio/')))).toEqual([
      `istio.io/istio/istioctl/cmd/istioctl@${secondVersion}`,
      `istio.io/istio/pilot/cmd/pilot-discovery@${secondVersion}`,
      `istio.io/istio/pilot/cmd/pilot-agent@${secondVersion}`,
    ]);
    for (const ldflags of ldflagsOf(unit2)) {
      expect(ldflags).toContain(`-X 'istio.io/istio/pkg/version.buildVersion=${second}'`);
      expect(ldflags).toContain(`-X 'istio.io/istio/pkg/version.buildTag=${second}'`);
      expect(ldflags).toContain("-X 'istio.io/istio/pkg/version.buildGitRevision=b01690e6db7d'");
      expect(ldflags).not.toContain('1.31-dev');
    }
    expect(unit2.sourceFiles).toEqual({ module: 'istio.io/istio', version: secondVersion, paths: ISTIO_SOURCE_FILES });
    expect(cacheKey(unit2)).not.toBe(cacheKey(istioUnit('1.31-dev')));
  });

  test('setting TWIN_ISTIO picks it where no name is given', () => {
    const before = process.env.TWIN_ISTIO;
    process.env.TWIN_ISTIO = second;
    try {
      expect(selectedIstio().name).toBe(second);
      expect(binaryPath('pilot-agent', { cacheDir: '/c' })).toBe(`/c/twin/bin/istio@${secondVersion}/pilot-agent`);
      expect(selectedIstio({ istio: '1.31-dev' }).name).toBe('1.31-dev'); // a name given wins
    } finally {
      if (before === undefined) delete process.env.TWIN_ISTIO;
      else process.env.TWIN_ISTIO = before;
    }
  });

  test('--list shows both releases, each with its own folder', () => {
    const cacheDir = tempDir('twin-list-');
    const istios = listUnits({ cacheDir, istio: '1.31-dev' }).units.filter((u) => u.component === 'istio');
    expect(istios.map((u) => [u.label, u.dir, u.state])).toEqual([
      ['istio 1.31-dev (v0.0.0-20260827124520-eed52ebb66ad)', path.join(cacheDir, 'twin/bin/istio@v0.0.0-20260827124520-eed52ebb66ad'), 'missing'],
      [`istio ${second} (${secondVersion})`, path.join(cacheDir, `twin/bin/istio@${secondVersion}`), 'missing'],
    ]);
  });
});

describe('wrapper modules agree with versions.json', () => {
  test('the go.mod parsers read requires and replaces', () => {
    expect(requiredVersion(kubeGoMod, 'k8s.io/kubernetes')).toBe('v1.36.3');
    expect(requiredVersion('module x\n\nrequire go.etcd.io/etcd/server/v3 v3.6.16\n', 'go.etcd.io/etcd/server/v3')).toBe('v3.6.16');
    expect(replacedVersions(kubeGoMod).get('k8s.io/cri-streaming')).toBe('v0.36.3');
    expect(replacedVersions(kubeGoMod).size).toBe(33);
  });

  test('the checked-in modules match the pins', () => {
    expect(wrapperMismatches(versions, kubeGoMod, etcdGoMod, corednsGoMod)).toEqual([]);
    expect(() => checkWrapperModules(versions)).not.toThrow();
  });

  test('a pin changed in one place only is named', () => {
    const v = bumped((x) => {
      x.kubernetes.version = 'v1.37.2';
      x.kubernetes.stagingVersion = 'v0.37.2';
    });
    expect(wrapperMismatches(v, kubeGoMod, etcdGoMod)).toEqual([
      'twin/build/go/kube/go.mod requires k8s.io/kubernetes v1.36.3, versions.json pins v1.37.2',
      'twin/build/go/kube/go.mod replaces k8s.io/api with v0.36.3, versions.json pins staging v0.37.2',
    ]);
    expect(() => checkWrapperModules(v)).toThrow(UsageError);
    expect(wrapperMismatches(versions, kubeGoMod, etcdGoMod.replace('v3.6.16', 'v3.6.15'))).toEqual([
      'twin/build/go/etcd/go.mod requires go.etcd.io/etcd/server/v3 v3.6.15, versions.json pins v3.6.16',
    ]);
    expect(wrapperMismatches(versions, kubeGoMod, etcdGoMod, corednsGoMod.replace('v1.14.7', 'v1.14.6'))).toEqual([
      'twin/build/go/coredns/go.mod requires github.com/coredns/coredns v1.14.6, versions.json pins v1.14.7',
    ]);
  });

  test('unitOf names the unit of a binary', () => {
    expect(unitOf(units(), 'kube-proxy').component).toBe('kube');
    expect(unitOf(units(), 'istioctl').component).toBe('istio');
  });
});
