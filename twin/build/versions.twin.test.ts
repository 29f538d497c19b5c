import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { run } from '../../targets/kind/run';
import { UsageError } from '../../helpers/config';
import { istioRelease, loadVersions, parseVersions, VERSIONS_FILE } from './versions';

const good = JSON.parse(readFileSync(VERSIONS_FILE, 'utf8')) as Record<string, any>;
const edited = (edit: (v: any) => void): string => {
  const copy = structuredClone(good);
  edit(copy);
  return JSON.stringify(copy);
};

describe('twin/versions.json', () => {
  test('the pinned file is valid and holds the pins the twin was built and measured with', () => {
    const versions = loadVersions();
    expect(versions.kubernetes).toMatchObject({ version: 'v1.36.3', stagingVersion: 'v0.36.3' });
    expect(versions.etcd.version).toBe('v3.6.16');
    expect(versions.kwok.version).toBe('v0.8.0');
    expect(versions.goHttpbin.images['docker.io/mccutchen/go-httpbin:v2.15.0']).toBe(versions.goHttpbin.version);
    const { name, release } = istioRelease(versions);
    expect(name).toBe(versions.istio.default);
    expect(release).toMatchObject({ module: 'istio.io/istio', version: 'v0.0.0-20260827124520-eed52ebb66ad', hub: 'docker.io/istio' });
  });

  test('a second Istio release is pinned beside the default and can be picked by name', () => {
    const versions = loadVersions();
    expect(Object.keys(versions.istio.releases)).toEqual(['1.31-dev', '1.31-alpha.b01690e6db7d']);
    const second = istioRelease(versions, '1.31-alpha.b01690e6db7d');
    expect(second.release).toMatchObject({ module: 'istio.io/istio', version: 'v0.0.0-20260423205519-b01690e6db7d', gitRevision: 'b01690e6db7d', tag: '1.31-alpha.b01690e6db7d' });
    expect(second.release.version).not.toBe(istioRelease(versions).release.version);
    expect(istioRelease(versions).name).toBe('1.31-dev');
    expect(() => istioRelease(versions, 'nope')).toThrow(/^no Istio release named "nope" in .*: use one of 1\.31-dev, 1\.31-alpha\.b01690e6db7d$/);
  });

  test.each([
    ['not JSON', '{ "kubernetes": ', /^versions\.json is not JSON \(.*\): fix the file$/],
    ['a missing section', edited((v) => delete v.kwok), /^versions\.json: kwok: expected object$/],
    ['a bad version', edited((v) => (v.kubernetes.version = '1.36.3')), /^versions\.json: kubernetes\.version: expected a Go module version like v1\.2\.3$/],
    ['a staging version of another minor', edited((v) => (v.kubernetes.stagingVersion = 'v0.35.3')), /^versions\.json: kubernetes\.stagingVersion: must be v0\.<minor>/],
    ['an unknown field', edited((v) => (v.etcd.verison = 'v3.6.16')), /^versions\.json: etcd: unknown field verison$/],
    ['a default naming no release', edited((v) => (v.istio.default = '1.99')), /^versions\.json: istio\.default: names no release \(releases: 1\.31-dev, 1\.31-alpha\.b01690e6db7d\)$/],
    ['a bad hub', edited((v) => (v.istio.releases['1.31-dev'].hub = 'Docker Hub')), /^versions\.json: istio\.releases\.1\.31-dev\.hub: expected an image hub/],
    ['an image tag other than the build version', edited((v) => (v.istio.releases['1.31-dev'].tag = 'latest')), /^versions\.json: istio\.releases\.1\.31-dev\.tag: must equal buildVersion \(1\.31-dev\)/],
    ['a bad toolchain', edited((v) => (v.kwok.toolchain = '1.27')), /^versions\.json: kwok\.toolchain: expected a toolchain like go1\.27\.3$/],
  ])('%s is one line naming the file and the field', (_what, text, message) => {
    expect(() => parseVersions(text, 'versions.json')).toThrow(UsageError);
    expect(() => parseVersions(text, 'versions.json')).toThrow(message);
    try {
      parseVersions(text, 'versions.json');
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });
});

// The default Istio build's label against the commit's own VERSION file, read from the Go module
// cache (go mod download, no build): Istio's Makefile.core.mk stamps a build of a commit whose
// VERSION file says X as "X-dev" (`VERSION := $(VERSION_FROM_FILE)-dev`); its CI's dev builds of
// master take the same X (prow/release-commit.sh: `$(cat VERSION).0-alpha.<commit>`, alias X-dev).
describe("the default Istio build's label", () => {
  test("is the commit's VERSION file plus -dev, as Istio's Makefile stamps it", async () => {
    const { release } = istioRelease(loadVersions());
    const download = await run(['go', 'mod', 'download', '-json', `${release.module}@${release.version}`], { timeoutMs: 600_000, cwd: '/' });
    expect(download.exitCode).toBe(0);
    const source = (JSON.parse(download.stdout) as { Dir: string }).Dir;
    const fromFile = readFileSync(path.join(source, 'VERSION'), 'utf8').trim();
    expect(readFileSync(path.join(source, 'Makefile.core.mk'), 'utf8')).toContain('VERSION := $(VERSION_FROM_FILE)-dev');
    expect([release.buildVersion, release.tag]).toEqual([`${fromFile}-dev`, `${fromFile}-dev`]);
  }, 600_000);
});
