// The machine's os/arch in Go's names (the names release assets use). The kind target supports
// Linux and macOS on amd64 and arm64; anything else is told so in one line.
import { UsageError } from '../../helpers/config';

export interface Platform {
  os: 'linux' | 'darwin';
  arch: 'amd64' | 'arm64';
  key: 'linux-amd64' | 'linux-arm64' | 'darwin-amd64' | 'darwin-arm64';
}

const osNames: Partial<Record<NodeJS.Platform, Platform['os']>> = { linux: 'linux', darwin: 'darwin' };
const archNames: Partial<Record<string, Platform['arch']>> = { x64: 'amd64', arm64: 'arm64' };

/** This machine's platform (or the one given), or a UsageError naming what is supported. */
export function currentPlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch): Platform {
  const os = osNames[platform];
  const goArch = archNames[arch];
  if (!os || !goArch) {
    throw new UsageError(
      `the kind target's tools are pinned for Linux and macOS on amd64 and arm64, not ${platform}/${arch}: use TARGET=existing with a kubeconfig`,
    );
  }
  return { os, arch: goArch, key: `${os}-${goArch}` };
}
