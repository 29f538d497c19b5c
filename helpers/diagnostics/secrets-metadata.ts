// The Secrets a step depends on, described without their data: name, type, each key with its
// size in bytes, labels, and the annotations that cannot hold a secret. The description is built
// field by field from an allow-list; nothing of the object is copied whole.
import { get, type KubeClient, type KubeObject } from '../kube';
import { oneLine } from '../kube/errors';
import type { PartContent } from './types';

type Secret = KubeObject & { type?: string; data?: Record<string, string>; stringData?: Record<string, string>; immutable?: boolean };

export interface SecretMetadata {
  namespace: string;
  name: string;
  exists: boolean;
  type?: string;
  /** Each key and the size of its value in bytes. */
  keys?: Record<string, number>;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Annotations left out because they could hold a secret (their names only). */
  withheldAnnotations?: string[];
  createdAt?: string;
  resourceVersion?: string;
  immutable?: boolean;
}

// kubectl's last-applied copy holds the data; other names and values may hold tokens or keys.
const SECRETISH_NAME = /last-applied|token|password|passwd|secret|private|key|credential/i;
const SECRETISH_VALUE = /PRIVATE KEY|[A-Za-z0-9+/_-]{40,}/;

/** Whether an annotation could hold secret material, by its name or its value. */
export function isSecretish(name: string, value: string): boolean {
  return SECRETISH_NAME.test(name) || SECRETISH_VALUE.test(value) || value.length > 256;
}

export function describeSecret(ref: { namespace: string; name: string }, secret: Secret | undefined): SecretMetadata {
  if (!secret) return { ...ref, exists: false };
  const keys: Record<string, number> = {};
  for (const [key, value] of Object.entries(secret.data ?? {})) keys[key] = Buffer.from(value, 'base64').length;
  const annotations: Record<string, string> = {};
  const withheld: string[] = [];
  for (const [name, value] of Object.entries(secret.metadata?.annotations ?? {})) {
    if (isSecretish(name, value)) withheld.push(name);
    else annotations[name] = value;
  }
  return {
    ...ref,
    exists: true,
    type: secret.type,
    keys,
    labels: { ...(secret.metadata?.labels ?? {}) },
    annotations,
    ...(withheld.length > 0 ? { withheldAnnotations: withheld } : {}),
    createdAt: secret.metadata?.creationTimestamp === undefined ? undefined : String(secret.metadata.creationTimestamp),
    resourceVersion: secret.metadata?.resourceVersion,
    ...(secret.immutable !== undefined ? { immutable: secret.immutable } : {}),
  };
}

export async function collectSecretsMetadata(kube: KubeClient, refs: Array<{ namespace: string; name: string }>): Promise<PartContent> {
  // Read by name only: the suite never lists Secrets (its RBAC names the doc's four).
  const outcomes = await Promise.all(
    refs.map(async (ref) => {
      try {
        return describeSecret(ref, await get<Secret>(kube, { apiVersion: 'v1', kind: 'Secret', ...ref }));
      } catch (error) {
        return { ...ref, error: oneLine((error as Error).message) };
      }
    }),
  );
  const failed = outcomes.filter((outcome): outcome is { namespace: string; name: string; error: string } => 'error' in outcome);
  if (refs.length > 0 && failed.length === refs.length) throw new Error(failed.map((outcome) => outcome.error).join('; '));
  return {
    data: outcomes,
    partial: failed.length > 0 ? failed.map((outcome) => outcome.error).join('; ') : undefined,
    notes: [`metadata of ${refs.length} Secret(s); their data is never read into this file, only each key's size`],
  };
}
