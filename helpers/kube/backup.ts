// The doc replaces objects by name (its Gateway, its Secrets). On an existing cluster an object of
// that name may already be someone's: before the suite writes over it, the ledger records it, and
// restore() puts it back as it was. The ledger can live in a file (mode 0600: a recorded Secret
// holds key material) so that a cleanup after an interrupted run can still restore.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { inspect } from 'node:util';
import type { KubeClient } from './connect';
import { create, deleteObject, get, replace } from './objects';
import { isOwned } from './ownership';
import { redacted } from './redact';
import { copyJson, describeTarget, refOf, type KubeObject, type ObjectRef } from './types';

export interface BackupEntry {
  ref: ObjectRef;
  /** The object as it was before the suite wrote over it; null when the suite created it. */
  before: KubeObject | null;
  at: string;
}

export class BackupLedger {
  readonly entries: BackupEntry[] = [];

  /** With a file, every change is saved to it at once (mode 0600). */
  constructor(readonly file?: string) {}

  /** A ledger saved by an earlier run; an empty one when the file does not exist. */
  static load(file: string): BackupLedger {
    const ledger = new BackupLedger(file);
    if (existsSync(file)) ledger.entries.push(...(JSON.parse(readFileSync(file, 'utf8')) as BackupEntry[]));
    return ledger;
  }

  has(ref: ObjectRef): boolean {
    return this.entries.some((entry) => sameRef(entry.ref, ref));
  }

  record(entry: BackupEntry): void {
    if (this.has(entry.ref)) return; // the first record is the state before the suite touched it
    this.entries.push(entry);
    this.save();
  }

  forget(ref: ObjectRef): void {
    const index = this.entries.findIndex((entry) => sameRef(entry.ref, ref));
    if (index >= 0) this.entries.splice(index, 1);
    this.save();
  }

  private save(): void {
    if (!this.file) return;
    writeFileSync(this.file, JSON.stringify(this.entries, null, 2), { mode: 0o600 });
    chmodSync(this.file, 0o600); // writeFileSync's mode applies only to a new file
  }

  // Printing the ledger (a failed expect, a debugger) must not show the Secrets it holds.
  [inspect.custom](): string {
    return `BackupLedger ${inspect(redacted(this.entries), { depth: 6 })}`;
  }

  toString(): string {
    return this[inspect.custom]();
  }
}

function sameRef(a: ObjectRef, b: ObjectRef): boolean {
  return a.apiVersion.split('/')[0] === b.apiVersion.split('/')[0] && a.kind === b.kind && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '');
}

// What is worth putting back: the object without what the server assigns.
function snapshot(object: KubeObject): KubeObject {
  const copy = copyJson(object) as KubeObject & { status?: unknown; metadata: Record<string, unknown> };
  for (const field of ['resourceVersion', 'uid', 'creationTimestamp', 'generation', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds']) {
    delete copy.metadata[field];
  }
  delete copy.status;
  return copy;
}

/**
 * Writes the object whatever exists under its name: creates it when absent, replaces the suite's
 * own, and records someone else's in the ledger before replacing it. The object must name its
 * namespace (a ledger entry must say where to put things back).
 */
export async function backupAndReplace<T extends KubeObject>(kube: KubeClient, object: T, ledger: BackupLedger): Promise<T> {
  const ref = refOf(object);
  const current = await get(kube, ref);
  if (!current) {
    ledger.record({ ref, before: null, at: new Date().toISOString() });
    return create(kube, object);
  }
  if (!isOwned(current)) {
    ledger.record({ ref, before: snapshot(current), at: new Date().toISOString() });
  }
  const body = copyJson(object);
  body.metadata = { ...body.metadata, resourceVersion: current.metadata?.resourceVersion };
  return replace(kube, body, { adoptUnowned: true });
}

/**
 * Puts back what the ledger recorded, newest first: deletes what the suite created, restores
 * what it replaced (recreating it if it was deleted meanwhile). Returns one line per object.
 */
export async function restore(kube: KubeClient, ledger: BackupLedger, options: { waitBudgetMs?: number } = {}): Promise<string[]> {
  const done: string[] = [];
  const failures: string[] = [];
  // One object that cannot be put back (a deletion that never completes) must not keep the others.
  for (const entry of [...ledger.entries].reverse()) {
    const what = describeTarget(entry.ref);
    try {
      done.push(`${what}: ${await restoreOne(kube, entry, options)}`);
      ledger.forget(entry.ref);
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
    }
  }
  if (failures.length > 0) throw new RestoreError(failures, done);
  return done;
}

/** Some objects could not be deleted or put back; the rest were. */
export class RestoreError extends Error {
  override name = 'RestoreError';
  constructor(
    readonly failures: string[],
    readonly done: string[],
  ) {
    super(failures.join('; '));
  }
}

async function restoreOne(kube: KubeClient, entry: BackupEntry, options: { waitBudgetMs?: number }): Promise<string> {
  if (entry.before === null) {
    const outcome = await deleteObject(kube, entry.ref, { waitBudgetMs: options.waitBudgetMs });
    return `created by the suite, ${outcome === 'deleted' ? 'deleted' : 'already gone'}`;
  }
  const current = await get(kube, entry.ref);
  const before = copyJson(entry.before);
  if (current) {
    before.metadata = { ...before.metadata, resourceVersion: current.metadata?.resourceVersion };
    await replace(kube, before, { adoptUnowned: true, stamp: false });
    return 'restored as it was before the suite replaced it';
  }
  await create(kube, before, { stamp: false });
  return 'recreated as it was before the suite replaced it';
}
