// The kind target's pinned tools (tools.json), validated once, and what they mean for one machine:
// which asset to download for this os/arch, from which base URL, checked against which sha256.
// A checksum that tools.json does not pin is `undefined` here: for a tool whose releases publish a
// `<asset>.sha256` beside each asset (istioctl) the downloader fetches that file and verifies
// against it; for any other it refuses.
import { z } from 'zod';
import type { Settings } from '../../helpers/config';
import { UsageError } from '../../helpers/config';
import type { Platform } from './platform';
import raw from './tools.json';

const sha256 = z.string().regex(/^[a-f0-9]{64}$/);
const perPlatform = z.object({
  'linux-amd64': sha256.nullable(),
  'linux-arm64': sha256.nullable(),
  'darwin-amd64': sha256.nullable(),
  'darwin-arm64': sha256.nullable(),
});
const minor = z.string().regex(/^\d+\.\d+$/);
const nodeImage = z.string().regex(/^kindest\/node:v\d+\.\d+\.\d+@sha256:[a-f0-9]{64}$/);

const pinsSchema = z.object({
  defaultBaseUrl: z.url(),
  kind: z.object({
    version: z.string(),
    goPackage: z.string(),
    url: z.string(),
    archive: z.literal('none'),
    binary: z.string(),
    releases: z.record(
      z.string(),
      z.object({ sha256: perPlatform, nodeImages: z.record(minor, nodeImage), defaultKubernetes: minor }),
    ),
  }),
  istio: z.object({
    default: z.string(),
    supported: z.array(z.string()).min(1),
    url: z.string(),
    platforms: z.object({ 'linux-amd64': z.string(), 'linux-arm64': z.string(), 'darwin-amd64': z.string(), 'darwin-arm64': z.string() }),
    archive: z.literal('tar.gz'),
    binary: z.string(),
    kubernetes: z.record(minor, minor),
    publishedChecksum: z.string(),
    releases: z.record(z.string(), z.object({ sha256: perPlatform })),
  }),
  httpbin: z.object({ image: z.string() }),
  actionlint: z.object({ goPackage: z.string(), version: z.string(), binary: z.string() }),
});

export type Pins = z.infer<typeof pinsSchema>;

/** tools.json, validated (a malformed pin is a bug in the repository: it throws). */
export const pins: Pins = pinsSchema.parse(raw);

export type ToolName = 'kind' | 'istioctl';

/** One tool at one version for one platform: where it comes from and how it is checked. */
export interface ToolAsset {
  name: ToolName;
  version: string;
  platform: Platform;
  url: string;
  /** The pinned (or set) sha256 of the file at `url`; undefined: read it from `sha256Url`, or refuse. */
  sha256: string | undefined;
  /** Where the checksum comes from, for messages ('published': the release's own `.sha256` file). */
  sha256Source: 'tools.json' | 'setting' | 'published' | 'missing';
  /** The checksum file the release publishes beside the asset, when the tool has one. */
  sha256Url?: string;
  /** The setting that supplies a checksum tools.json lacks. */
  sha256Setting: 'KIND_SHA256' | 'ISTIOCTL_SHA256';
  archive: 'none' | 'tar.gz';
  binary: string;
}

type ToolSettings = Pick<Settings, 'ISTIO_VERSION' | 'KIND_VERSION' | 'TOOLS_BASE_URL' | 'KIND_SHA256' | 'ISTIOCTL_SHA256'>;

export function kindVersion(settings: Pick<Settings, 'KIND_VERSION'>): string {
  return settings.KIND_VERSION ?? pins.kind.version;
}

export function istioVersion(settings: Pick<Settings, 'ISTIO_VERSION'>): string {
  return settings.ISTIO_VERSION ?? pins.istio.default;
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

function baseUrl(settings: ToolSettings): string {
  return (settings.TOOLS_BASE_URL ?? pins.defaultBaseUrl).replace(/\/+$/, '');
}

/** The asset of `name` for this platform, with its checksum (from tools.json, else the setting). */
export function toolAsset(name: ToolName, platform: Platform, settings: ToolSettings): ToolAsset {
  const base = baseUrl(settings);
  if (name === 'kind') {
    const version = kindVersion(settings);
    const pinned = pins.kind.releases[version]?.sha256[platform.key] ?? undefined;
    return {
      name,
      version,
      platform,
      url: fill(pins.kind.url, { base, version, os: platform.os, arch: platform.arch }),
      ...checksum(pinned, settings.KIND_SHA256),
      sha256Setting: 'KIND_SHA256',
      archive: pins.kind.archive,
      binary: pins.kind.binary,
    };
  }
  const version = istioVersion(settings);
  const pinned = pins.istio.releases[version]?.sha256[platform.key] ?? undefined;
  const url = fill(pins.istio.url, { base, version, os: platform.os, arch: platform.arch, platform: pins.istio.platforms[platform.key] });
  return {
    name,
    version,
    platform,
    url,
    ...checksum(pinned, settings.ISTIOCTL_SHA256, fill(pins.istio.publishedChecksum, { url })),
    sha256Setting: 'ISTIOCTL_SHA256',
    archive: pins.istio.archive,
    binary: pins.istio.binary,
  };
}

// A pinned checksum wins over the setting: the setting is for versions tools.json does not pin,
// and must not quietly replace a published value. Without either, a tool whose release publishes
// a checksum file is checked against that file (fetched before the asset), never left unchecked.
function checksum(
  pinned: string | undefined,
  fromSetting: string | undefined,
  publishedAt?: string,
): Pick<ToolAsset, 'sha256' | 'sha256Source' | 'sha256Url'> {
  if (pinned) return { sha256: pinned, sha256Source: 'tools.json' };
  if (fromSetting) return { sha256: fromSetting, sha256Source: 'setting' };
  if (publishedAt) return { sha256: undefined, sha256Source: 'published', sha256Url: publishedAt };
  return { sha256: undefined, sha256Source: 'missing' };
}

/** Where an asset's checksum comes from, in words, for messages and the plan. */
export function checksumOrigin(asset: ToolAsset): string {
  switch (asset.sha256Source) {
    case 'setting':
      return asset.sha256Setting;
    case 'published':
      return `published at ${asset.sha256Url}`;
    default:
      return 'tools.json';
  }
}

/** The one line that refuses an asset without a checksum. */
export function missingChecksumLine(asset: ToolAsset): string {
  return (
    `no published checksum pinned for ${asset.name} ${asset.version} (${asset.platform.key}) in targets/kind/tools.json; ` +
    `set ${asset.sha256Setting} to the sha256 published beside ${asset.url}, or install ${asset.name} ${asset.version} yourself on PATH`
  );
}

export interface NodeImageChoice {
  image: string;
  /** Why this image, for the plan. */
  why: string;
}

/** The kind node image for the Istio version: the newest Kubernetes minor its release supports. */
export function nodeImageFor(settings: Pick<Settings, 'KIND_NODE_IMAGE' | 'KIND_VERSION' | 'ISTIO_VERSION'>): NodeImageChoice {
  if (settings.KIND_NODE_IMAGE) return { image: settings.KIND_NODE_IMAGE, why: 'KIND_NODE_IMAGE' };
  const kind = kindVersion(settings);
  const release = pins.kind.releases[kind];
  if (!release) {
    throw new UsageError(`kind ${kind} has no node images in targets/kind/tools.json: set KIND_NODE_IMAGE to a kindest/node image published with kind ${kind}`);
  }
  const istio = istioVersion(settings);
  const istioMinor = istio.split('.').slice(0, 2).join('.');
  const wanted = pins.istio.kubernetes[istioMinor];
  if (wanted && release.nodeImages[wanted]) {
    return { image: release.nodeImages[wanted], why: `Kubernetes ${wanted}, the newest that Istio ${istioMinor} supports` };
  }
  return {
    image: release.nodeImages[release.defaultKubernetes]!,
    why: `kind ${kind}'s default (Kubernetes ${release.defaultKubernetes}); no Kubernetes version is pinned for Istio ${istioMinor}`,
  };
}
