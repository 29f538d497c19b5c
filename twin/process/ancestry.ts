// The twin's lifetime follows the command that started it. `npm run twin` is npm -> sh -> tsx ->
// node; a SIGTERM to npm kills sh but reaches neither tsx nor the twin, which would run on,
// orphaned. So the twin watches its nearest ancestors and stops when one of them is gone.
import fs from 'node:fs';
import { identify, isSameProcessAlive, type ProcessIdentity } from './identity';

export function parentOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** Up to `levels` ancestors of `pid`, nearest first, stopping before pid 1. */
export function ancestors(pid: number, levels: number): ProcessIdentity[] {
  const found: ProcessIdentity[] = [];
  let current = pid;
  while (found.length < levels) {
    const parent = parentOf(current);
    if (parent === undefined || parent <= 1) break;
    found.push(identify(parent));
    current = parent;
  }
  return found;
}

/** Calls `onGone` once when one of the ancestors exits; returns a function that stops watching. */
export function watchAncestors(levels: number, onGone: (gone: ProcessIdentity) => void, intervalMs = 1_000): () => void {
  const watched = ancestors(process.pid, levels);
  const timer = setInterval(() => {
    const gone = watched.find((a) => !isSameProcessAlive(a));
    if (gone) {
      clearInterval(timer);
      onGone(gone);
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
