// How long work shows itself: durations for people, and a heartbeat so that a run never goes
// silent for more than HEARTBEAT_MS (CI logs, and people watching a terminal, see it is alive).

/** At most this long without a line of output while something runs (the brief's 30 s, with room). */
export const HEARTBEAT_MS = 20_000;

export type Log = (line: string) => void;

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

/** Calls `beat(elapsedMs)` every `everyMs` until the returned stop function is called. */
export function heartbeat(beat: (elapsedMs: number) => void, everyMs = HEARTBEAT_MS): () => void {
  const started = Date.now();
  const timer = setInterval(() => beat(Date.now() - started), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Runs `work` as a named step: "<title> ..." first, "still <title> (1m30s)" every heartbeat,
 * then "<title>: done in 42.0 s" or "<title>: failed after 3.1 s".
 */
export async function step<T>(title: string, log: Log, work: () => Promise<T>, heartbeatMs = HEARTBEAT_MS): Promise<T> {
  const started = Date.now();
  log(`${title} ...`);
  const stop = heartbeat((elapsed) => log(`  still ${title} (${formatDuration(elapsed)})`), heartbeatMs);
  try {
    const value = await work();
    log(`${title}: done in ${formatDuration(Date.now() - started)}`);
    return value;
  } catch (error) {
    log(`${title}: failed after ${formatDuration(Date.now() - started)}`);
    throw error;
  } finally {
    stop();
  }
}
