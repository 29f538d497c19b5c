import { describe, expect, test } from '@jest/globals';
import { UsageError } from '../../helpers/config';
import { missingChecksumLine, nodeImageFor, pins, toolAsset } from './pins';
import { currentPlatform, type Platform } from './platform';

const platforms: Platform[] = (['linux', 'darwin'] as const).flatMap((os) =>
  (['amd64', 'arm64'] as const).map((arch) => ({ os, arch, key: `${os}-${arch}` as const })),
);

describe('the pins file (tools.json)', () => {
  test('pins kind with a published sha256 for Linux and macOS on amd64 and arm64', () => {
    const release = pins.kind.releases[pins.kind.version]!;
    for (const platform of platforms) expect(release.sha256[platform.key]).toMatch(/^[a-f0-9]{64}$/);
    expect(release.nodeImages[release.defaultKubernetes]).toMatch(/^kindest\/node:v1\.\d+\.\d+@sha256:[a-f0-9]{64}$/);
  });

  test('supports one release per minor, the newest minor is the default, and each has a node image', () => {
    expect(pins.istio.supported).toContain(pins.istio.default);
    const minors = pins.istio.supported.map((version) => version.split('.').slice(0, 2).join('.'));
    expect(new Set(minors).size).toBe(minors.length);
    expect(pins.istio.default).toBe(pins.istio.supported.at(-1));
    const nodeImages = pins.kind.releases[pins.kind.version]!.nodeImages;
    for (const version of pins.istio.supported) {
      expect(pins.istio.releases[version]).toBeDefined();
      const minor = version.split('.').slice(0, 2).join('.');
      expect(nodeImages[pins.istio.kubernetes[minor]!]).toBeDefined();
    }
  });

  test('never pins an unknown checksum as a value: unknown ones are null, known ones 64 hex digits', () => {
    for (const release of Object.values(pins.istio.releases)) {
      for (const value of Object.values(release.sha256)) expect(value === null || /^[a-f0-9]{64}$/.test(value)).toBe(true);
    }
  });
});

describe('toolAsset', () => {
  const none = {};

  test('picks the kind asset by os/arch from the release path, with its pinned checksum', () => {
    const asset = toolAsset('kind', { os: 'darwin', arch: 'arm64', key: 'darwin-arm64' }, none);
    expect(asset.url).toBe('https://github.com/kubernetes-sigs/kind/releases/download/v0.33.0/kind-darwin-arm64');
    expect(asset).toMatchObject({ sha256: '0c8c7dbe5e23594a198b786c4bc13dacc101fa6196b0cb0b23a1ca44e61f4b4f', sha256Source: 'tools.json', archive: 'none', binary: 'kind' });
  });

  test("names istioctl's archives as the Istio release does (osx, osx-arm64, linux-<arch>)", () => {
    const urls = platforms.map((platform) => toolAsset('istioctl', platform, { ISTIO_VERSION: '1.30.4' }).url.split('/').pop());
    expect(urls).toEqual(['istioctl-1.30.4-linux-amd64.tar.gz', 'istioctl-1.30.4-linux-arm64.tar.gz', 'istioctl-1.30.4-osx.tar.gz', 'istioctl-1.30.4-osx-arm64.tar.gz']);
  });

  test('TOOLS_BASE_URL replaces the site and keeps the release path (a trailing slash is fine)', () => {
    const asset = toolAsset('kind', platforms[0]!, { TOOLS_BASE_URL: 'http://mirror.internal:8080/github/' });
    expect(asset.url).toBe('http://mirror.internal:8080/github/kubernetes-sigs/kind/releases/download/v0.33.0/kind-linux-amd64');
  });

  test('an istioctl without a pinned checksum is checked against the .sha256 its release publishes beside it', () => {
    const asset = toolAsset('istioctl', platforms[0]!, { ISTIO_VERSION: '1.30.4', TOOLS_BASE_URL: 'http://mirror.internal' });
    const url = 'http://mirror.internal/istio/istio/releases/download/1.30.4/istioctl-1.30.4-linux-amd64.tar.gz';
    expect(asset).toMatchObject({ url, sha256: undefined, sha256Source: 'published', sha256Url: `${url}.sha256` });
  });

  test('a kind without a checksum is marked missing, and the refusal names the setting and PATH', () => {
    const asset = toolAsset('kind', platforms[0]!, { KIND_VERSION: 'v0.99.0' });
    expect(asset).toMatchObject({ sha256: undefined, sha256Source: 'missing' });
    expect(missingChecksumLine(asset)).toBe(
      'no published checksum pinned for kind v0.99.0 (linux-amd64) in targets/kind/tools.json; set KIND_SHA256 to the sha256 published beside ' +
        'https://github.com/kubernetes-sigs/kind/releases/download/v0.99.0/kind-linux-amd64, or install kind v0.99.0 yourself on PATH',
    );
  });

  test('the setting supplies a checksum tools.json lacks, but never replaces a pinned one', () => {
    const sum = 'a'.repeat(64);
    expect(toolAsset('istioctl', platforms[0]!, { ISTIOCTL_SHA256: sum })).toMatchObject({ sha256: sum, sha256Source: 'setting' });
    expect(toolAsset('kind', platforms[0]!, { KIND_SHA256: sum })).toMatchObject({ sha256: pins.kind.releases['v0.33.0']!.sha256['linux-amd64'], sha256Source: 'tools.json' });
    expect(toolAsset('kind', platforms[0]!, { KIND_VERSION: 'v0.99.0' })).toMatchObject({ sha256Source: 'missing' });
  });
});

describe('nodeImageFor', () => {
  test('gives each Istio minor the newest Kubernetes it supports, from the pinned kind release', () => {
    expect(nodeImageFor({ ISTIO_VERSION: '1.30.5' }).image).toMatch(/^kindest\/node:v1\.36\.4@sha256:/);
    expect(nodeImageFor({ ISTIO_VERSION: '1.31.1' }).image).toMatch(/^kindest\/node:v1\.36\.4@sha256:/);
    expect(nodeImageFor({}).why).toBe('Kubernetes 1.36, the newest that Istio 1.31 supports');
  });

  test("falls back to kind's default image for an Istio minor without a pin, and says so", () => {
    const choice = nodeImageFor({ ISTIO_VERSION: '1.32.0' });
    expect(choice.image).toMatch(/^kindest\/node:v1\.37\.0@sha256:/);
    expect(choice.why).toContain('no Kubernetes version is pinned for Istio 1.32');
  });

  test('KIND_NODE_IMAGE wins; a kind version without node images needs it', () => {
    expect(nodeImageFor({ KIND_NODE_IMAGE: 'kindest/node:v1.33.0', KIND_VERSION: 'v0.99.0' }).image).toBe('kindest/node:v1.33.0');
    expect(() => nodeImageFor({ KIND_VERSION: 'v0.99.0' })).toThrow(/set KIND_NODE_IMAGE/);
  });
});

describe('currentPlatform', () => {
  test("maps Node's names to Go's, and refuses other systems in one line", () => {
    expect(currentPlatform('darwin', 'arm64')).toEqual({ os: 'darwin', arch: 'arm64', key: 'darwin-arm64' });
    expect(currentPlatform('linux', 'x64')).toEqual({ os: 'linux', arch: 'amd64', key: 'linux-amd64' });
    expect(() => currentPlatform('win32', 'x64')).toThrow(UsageError);
    expect(() => currentPlatform('linux', 'ppc64')).toThrow(/Linux and macOS on amd64 and arm64, not linux\/ppc64: use TARGET=existing/);
  });
});
