// How the kind target shows its long steps: a line when a step starts, a heartbeat while it runs
// (CI logs show life), and a line with how long it took.

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}

export type Log = (line: string) => void;

/**
 * Runs `work` as a named step: "<title> ..." first, "still <title> (1m30s)" every heartbeat,
 * then "<title>: done in 42.0 s" or "<title>: failed after 3.1 s".
 */
export async function step<T>(title: string, log: Log, work: () => Promise<T>, heartbeatMs = 30_000): Promise<T> {
  const started = Date.now();
  log(`${title} ...`);
  const timer = setInterval(() => log(`  still ${title} (${formatDuration(Date.now() - started)})`), heartbeatMs);
  timer.unref();
  try {
    const value = await work();
    log(`${title}: done in ${formatDuration(Date.now() - started)}`);
    return value;
  } catch (error) {
    log(`${title}: failed after ${formatDuration(Date.now() - started)}`);
    throw error;
  } finally {
    clearInterval(timer);
  }
}
