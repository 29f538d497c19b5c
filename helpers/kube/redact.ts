// Secrets hold the doc's private keys: their values never reach a log, a report or an error.
// Every rendering of an object for a person goes through redacted().
import { inspect } from 'node:util';
import { stringify } from 'yaml';
import { copyJson } from './types';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function redactSecret(secret: Record<string, unknown>): void {
  for (const field of ['data', 'stringData']) {
    const values = secret[field];
    if (values && typeof values === 'object') {
      for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
        const size = typeof value === 'string' ? (field === 'data' ? Buffer.from(value, 'base64').length : Buffer.byteLength(value)) : 0;
        (values as Record<string, unknown>)[key] = `<redacted, ${size} bytes>`;
      }
    }
  }
  // kubectl's client-side apply keeps a full copy of the Secret, values included, in an annotation.
  const annotations = (secret.metadata as { annotations?: Record<string, string> } | undefined)?.annotations;
  if (annotations?.[LAST_APPLIED] !== undefined) annotations[LAST_APPLIED] = '<redacted>';
}

function walk(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(walk);
  } else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (record.kind === 'Secret') redactSecret(record);
    Object.values(record).forEach(walk);
  }
}

/** A copy with the values of every Secret inside (lists, backups, nested) replaced by their size. */
export function redacted<T>(value: T): T {
  if (value === undefined) return value;
  const copy = copyJson(value);
  walk(copy);
  return copy;
}

/** YAML of the object for a person, with Secret values redacted. */
export function renderObject(value: unknown): string {
  return stringify(redacted(value)).trimEnd();
}

/**
 * Makes every Secret inside print redacted with util.inspect (console.log, eventually's timeout
 * message, a debugger) while its data stays as it is for code and for JSON.stringify.
 */
export function guardSecrets<T>(value: T): T {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string | symbol, unknown>;
    if (record.kind === 'Secret' && !Object.prototype.hasOwnProperty.call(record, inspect.custom)) {
      Object.defineProperty(record, inspect.custom, {
        enumerable: false,
        value: (_depth: number, options: object) => inspect(redacted(record), options),
      });
    }
    Object.values(record).forEach(visit);
  };
  visit(value);
  return value;
}
