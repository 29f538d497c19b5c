// One build of a unit at a time across processes (jest workers, two engineers' runs on one machine):
// a lock file holding the builder's pid, beside the unit's folder. A waiter polls until it is gone
// (or its process is), then checks the cache again instead of building the same thing twice.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holder(lockFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(lockFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export interface LockOptions {
  /** Called when the lock is held by another live process, then every heartbeat while waiting. */
  onWait: (pid: number, waitedMs: number) => void;
  heartbeatMs: number;
  pollMs?: number;
  signal?: AbortSignal;
}

export async function withLock<T>(lockFile: string, options: LockOptions, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  let lastReport = -Infinity;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const pid = holder(lockFile);
    if (pid === undefined || !alive(pid)) {
      // Left by a killed build (or being written this instant: then the next round sees it).
      if (pid !== undefined) rmSync(lockFile, { force: true });
      await delay(50);
      continue;
    }
    if (Date.now() - lastReport >= options.heartbeatMs) {
      options.onWait(pid, Date.now() - started);
      lastReport = Date.now();
    }
    await delay(options.pollMs ?? 1000, undefined, { signal: options.signal });
  }
  try {
    return await work();
  } finally {
    rmSync(lockFile, { force: true });
  }
}
