// Where a run's backup ledger lives on disk, so that `npm run cleanup` can put back what an
// interrupted run replaced: CACHE_DIR/backups/<hash of the API server URL>/<run id>.json, folder
// 0700, files 0600 (a recorded Secret holds key material). SG-X1 empties the ledger of a run that
// ends; empty ledgers are removed by the next run or cleanup.
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { BackupLedger } from '.';

export function backupDir(cacheDir: string, server: string): string {
  return path.join(path.resolve(cacheDir), 'backups', createHash('sha256').update(server).digest('hex').slice(0, 16));
}

function ledgerFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .sort()
      .map((name) => path.join(dir, name));
  } catch {
    return [];
  }
}

function isEmpty(file: string): boolean {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as unknown[]).length === 0;
  } catch {
    return false; // unreadable: kept, for a person to look at
  }
}

/** Removes the ledgers that hold nothing to put back. */
export function dropEmptyLedgers(dir: string): void {
  for (const file of ledgerFiles(dir)) if (isEmpty(file)) rmSync(file, { force: true });
}

/** A new file-backed ledger for a run on this API server. */
export function runLedger(cacheDir: string, server: string, runId: string): BackupLedger {
  const dir = backupDir(cacheDir, server);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  dropEmptyLedgers(dir);
  return new BackupLedger(path.join(dir, `${runId}.json`));
}

/** The ledgers earlier runs on this API server left with something in them, newest first (undo order). */
export function pendingLedgers(cacheDir: string, server: string): BackupLedger[] {
  return ledgerFiles(backupDir(cacheDir, server))
    .reverse()
    .filter((file) => !isEmpty(file))
    .map((file) => BackupLedger.load(file));
}
