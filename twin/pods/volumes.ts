// What a kubelet writes into a pod's secret, configMap, downwardAPI and projected volumes, as a
// list of files with their modes: pure, so it is tested without a cluster. The writing itself
// (atomic ..data swap) is atomic-writer.ts; fetching tokens and keeping volumes in sync is
// volume-sync.ts.
import type {
  V1ConfigMap,
  V1DownwardAPIVolumeFile,
  V1KeyToPath,
  V1Pod,
  V1Secret,
  V1ServiceAccountTokenProjection,
  V1Volume,
} from '@kubernetes/client-node';
import { fieldValue, resourceValue, type PodRuntimeFacts } from './downward';
import type { ObjectLookup } from './env';

export interface VolumeFile {
  /** Relative path inside the volume. */
  path: string;
  data: Buffer;
  mode: number;
}

/** The kubelet's defaults when the API server did not default the mode (it always does). */
export const defaultSecretMode = 0o600;
export const defaultConfigMode = 0o644;

export interface ProjectionContext {
  pod: V1Pod;
  facts: PodRuntimeFacts;
  lookup: ObjectLookup;
  /** A current token for the pod's service account, or undefined while none could be had. */
  token(projection: V1ServiceAccountTokenProjection): string | undefined;
}

/** How a volume is backed. */
export type VolumePlan =
  | { kind: 'files'; files: VolumeFile[] }
  | { kind: 'emptyDir' }
  | { kind: 'hostPath'; path: string }
  | { kind: 'unsupported'; message: string };

/** A volume that cannot be set up yet: the pod waits, as with the kubelet's FailedMount. */
export class VolumeNotReady extends Error {
  override name = 'VolumeNotReady';
}

/** Which volume kinds carry files from the API (and so are resynced after the sync delay). */
export function isProjectedKind(volume: V1Volume): boolean {
  return Boolean(volume.secret || volume.configMap || volume.downwardAPI || volume.projected);
}

export function planVolume(volume: V1Volume, ctx: ProjectionContext): VolumePlan {
  if (volume.emptyDir) return { kind: 'emptyDir' };
  if (volume.hostPath) return { kind: 'hostPath', path: volume.hostPath.path };
  const namespace = ctx.pod.metadata?.namespace ?? 'default';
  if (volume.secret) {
    const s = volume.secret;
    const secret = ctx.lookup.secret(namespace, s.secretName ?? '');
    const mode = s.defaultMode ?? defaultSecretMode;
    if (!secret) {
      if (s.optional) return { kind: 'files', files: [] };
      throw new VolumeNotReady(`MountVolume.SetUp failed for volume "${volume.name}" : secret "${s.secretName}" not found`);
    }
    return { kind: 'files', files: keyFiles(secretData(secret), s.items, mode, Boolean(s.optional), `Secret ${namespace}/${s.secretName}`, volume.name) };
  }
  if (volume.configMap) {
    const c = volume.configMap;
    const cm = ctx.lookup.configMap(namespace, c.name ?? '');
    const mode = c.defaultMode ?? defaultConfigMode;
    if (!cm) {
      if (c.optional) return { kind: 'files', files: [] };
      throw new VolumeNotReady(`MountVolume.SetUp failed for volume "${volume.name}" : configmap "${c.name}" not found`);
    }
    return { kind: 'files', files: keyFiles(configMapData(cm), c.items, mode, Boolean(c.optional), `ConfigMap ${namespace}/${c.name}`, volume.name) };
  }
  if (volume.downwardAPI) {
    const mode = volume.downwardAPI.defaultMode ?? defaultConfigMode;
    return { kind: 'files', files: downwardFiles(volume.downwardAPI.items ?? [], mode, ctx) };
  }
  if (volume.projected) {
    const mode = volume.projected.defaultMode ?? defaultConfigMode;
    const files: VolumeFile[] = [];
    for (const source of volume.projected.sources ?? []) {
      if (source.secret) {
        const s = source.secret;
        const secret = ctx.lookup.secret(namespace, s.name ?? '');
        if (!secret) {
          if (s.optional) continue;
          throw new VolumeNotReady(`MountVolume.SetUp failed for volume "${volume.name}" : secret "${s.name}" not found`);
        }
        files.push(...keyFiles(secretData(secret), s.items, mode, Boolean(s.optional), `Secret ${namespace}/${s.name}`, volume.name));
      } else if (source.configMap) {
        const c = source.configMap;
        const cm = ctx.lookup.configMap(namespace, c.name ?? '');
        if (!cm) {
          if (c.optional) continue;
          throw new VolumeNotReady(`MountVolume.SetUp failed for volume "${volume.name}" : configmap "${c.name}" not found`);
        }
        files.push(...keyFiles(configMapData(cm), c.items, mode, Boolean(c.optional), `ConfigMap ${namespace}/${c.name}`, volume.name));
      } else if (source.downwardAPI) {
        files.push(...downwardFiles(source.downwardAPI.items ?? [], mode, ctx));
      } else if (source.serviceAccountToken) {
        const projection = source.serviceAccountToken;
        const token = ctx.token(projection);
        if (token === undefined) {
          throw new VolumeNotReady(`MountVolume.SetUp failed for volume "${volume.name}" : failed to fetch token for audience ${JSON.stringify(projection.audience ?? '')}`);
        }
        files.push({ path: checkPath(projection.path, volume.name), data: Buffer.from(token), mode });
      } else {
        return { kind: 'unsupported', message: `projected volume "${volume.name}": only secret, configMap, downwardAPI and serviceAccountToken sources are supported` };
      }
    }
    return { kind: 'files', files };
  }
  const kind = Object.keys(volume).find((key) => key !== 'name') ?? 'unknown';
  return { kind: 'unsupported', message: `volume "${volume.name}": the twin does not support ${kind} volumes` };
}

function secretData(secret: V1Secret): Map<string, Buffer> {
  const data = new Map<string, Buffer>();
  for (const [key, value] of Object.entries(secret.data ?? {})) data.set(key, Buffer.from(value, 'base64'));
  for (const [key, value] of Object.entries(secret.stringData ?? {})) data.set(key, Buffer.from(value));
  return data;
}

function configMapData(cm: V1ConfigMap): Map<string, Buffer> {
  const data = new Map<string, Buffer>();
  for (const [key, value] of Object.entries(cm.data ?? {})) data.set(key, Buffer.from(value));
  for (const [key, value] of Object.entries(cm.binaryData ?? {})) data.set(key, Buffer.from(value, 'base64'));
  return data;
}

/** Keys to files: every key by its name, or the listed items (a missing key fails unless optional). */
function keyFiles(
  data: Map<string, Buffer>,
  items: V1KeyToPath[] | undefined,
  mode: number,
  optional: boolean,
  what: string,
  volumeName: string,
): VolumeFile[] {
  if (!items?.length) {
    return [...data.keys()].sort().map((key) => ({ path: checkPath(key, volumeName), data: data.get(key)!, mode }));
  }
  const files: VolumeFile[] = [];
  for (const item of items) {
    const value = data.get(item.key);
    if (value === undefined) {
      if (optional) continue;
      throw new VolumeNotReady(`MountVolume.SetUp failed for volume "${volumeName}" : references non-existent key ${item.key} of ${what}`);
    }
    files.push({ path: checkPath(item.path, volumeName), data: value, mode: item.mode ?? mode });
  }
  return files;
}

function downwardFiles(items: V1DownwardAPIVolumeFile[], mode: number, ctx: ProjectionContext): VolumeFile[] {
  return items.map((item) => {
    let value: string;
    if (item.fieldRef) value = fieldValue(ctx.pod, item.fieldRef, ctx.facts);
    else if (item.resourceFieldRef) value = resourceValue(ctx.pod, item.resourceFieldRef, ctx.facts);
    else value = '';
    return { path: checkPath(item.path, 'downwardAPI'), data: Buffer.from(value), mode: item.mode ?? mode };
  });
}

/** A relative path that stays inside the volume (the API validates this; checked again here). */
function checkPath(p: string, volumeName: string): string {
  const parts = p.split('/');
  if (p.startsWith('/') || parts.some((part) => part === '..' || part === '') || p.startsWith('..')) {
    throw new VolumeNotReady(`volume "${volumeName}": invalid path ${JSON.stringify(p)}`);
  }
  return p;
}
