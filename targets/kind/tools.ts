// Where each tool of the kind target comes from: the one on PATH when it is the pinned version,
// else the verified copy in the cache, else a download (only with a pinned or set checksum, or the
// checksum file the release publishes beside the asset).
// planTool() decides without side effects (the dry run prints it); ensureTool() carries it out.
import { which } from 'zx';
import { UsageError, type Settings } from '../../helpers/config';
import { ensureDownloaded, lookupCache, type DownloadOptions } from './download';
import { checksumOrigin, missingChecksumLine, toolAsset, type ToolAsset, type ToolName } from './pins';
import type { Platform } from './platform';
import { run } from './run';

/** `kind version` prints e.g. "kind v0.33.0 go1.26.8 linux/amd64". */
export function parseKindVersion(output: string): string | undefined {
  return /\bkind (v\d+\.\d+\.\d+[\w.+-]*)/.exec(output)?.[1];
}

/**
 * `istioctl version --remote=false` prints "client version: 1.30.4" (older releases print the bare
 * version); a build from a branch prints e.g. "1.31-dev".
 */
export function parseIstioctlVersion(output: string): string | undefined {
  const labelled = /client version:\s*(\S+)/i.exec(output)?.[1];
  if (labelled) return labelled;
  return /^\s*(\d+\.\d+(?:\.\d+)?[\w.+-]*)\s*$/m.exec(output)?.[1];
}

export const versionArgs: Record<ToolName, string[]> = {
  kind: ['version'],
  istioctl: ['version', '--remote=false'],
};

const parsers: Record<ToolName, (output: string) => string | undefined> = {
  kind: parseKindVersion,
  istioctl: parseIstioctlVersion,
};

/** How the planner looks at the machine (replaced in tests). */
export interface ToolProbe {
  which(name: string): Promise<string | undefined>;
  version(binary: string, name: ToolName): Promise<string | undefined>;
}

export const machineProbe: ToolProbe = {
  async which(name) {
    return (await which(name, { nothrow: true })) ?? undefined;
  },
  async version(binary, name) {
    const result = await run([binary, ...versionArgs[name]], { timeoutMs: 15_000 });
    return result.exitCode === 0 ? parsers[name](result.stdout) : undefined;
  },
};

export type ToolPlan =
  | { source: 'path'; binary: string; asset: ToolAsset; note?: string }
  | { source: 'cache'; binary: string; asset: ToolAsset; note?: string }
  | { source: 'download'; asset: ToolAsset; note?: string }
  | { source: 'refused'; asset: ToolAsset; reason: string; note?: string };

export interface PlanContext {
  settings: Pick<Settings, 'CACHE_DIR' | 'ISTIO_VERSION' | 'KIND_VERSION' | 'TOOLS_BASE_URL' | 'KIND_SHA256' | 'ISTIOCTL_SHA256'>;
  platform: Platform;
  probe?: ToolProbe;
}

/** Decides where `name` comes from, without downloading anything. */
export async function planTool(name: ToolName, context: PlanContext): Promise<ToolPlan> {
  const probe = context.probe ?? machineProbe;
  const asset = toolAsset(name, context.platform, context.settings);
  let note: string | undefined;
  const onPath = await probe.which(name);
  if (onPath) {
    const version = await probe.version(onPath, name);
    if (version === asset.version) return { source: 'path', binary: onPath, asset };
    note = `${onPath} is ${version ? `${name} ${version}` : 'of an unknown version'}, not the pinned ${asset.version}: not used`;
  }
  const cached = await lookupCache(asset, context.settings.CACHE_DIR);
  const withNote = note ? { note } : {};
  if (cached.state === 'hit') return { source: 'cache', binary: cached.binary, asset, ...withNote };
  if (!asset.sha256 && !asset.sha256Url) return { source: 'refused', asset, reason: missingChecksumLine(asset), ...withNote };
  return { source: 'download', asset, ...withNote };
}

/** The binary the plan names, downloading (and verifying) it when the plan says so. */
export async function ensureTool(plan: ToolPlan, options: DownloadOptions): Promise<string> {
  switch (plan.source) {
    case 'path':
    case 'cache':
      return plan.binary;
    case 'download':
      return ensureDownloaded(plan.asset, options);
    case 'refused':
      throw new UsageError(plan.reason);
  }
}

/** One line for the plan: which binary, which version, from where. */
export function describeToolPlan(plan: ToolPlan): string {
  const what = `${plan.asset.name} ${plan.asset.version}`;
  const note = plan.note ? ` (${plan.note})` : '';
  switch (plan.source) {
    case 'path':
      return `${what}: ${plan.binary} (on PATH)`;
    case 'cache':
      return `${what}: ${plan.binary} (cached, sha256 verified when downloaded)${note}`;
    case 'download':
      return plan.asset.sha256
        ? `${what}: download ${plan.asset.url}, check sha256 ${plan.asset.sha256} (${checksumOrigin(plan.asset)})${note}`
        : `${what}: download ${plan.asset.url}, check it against the sha256 ${checksumOrigin(plan.asset)} (fetched first)${note}`;
    case 'refused':
      return `${what}: not fetched, no published checksum pinned for ${plan.asset.platform.key} (see STOP)${note}`;
  }
}
