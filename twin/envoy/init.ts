// Envoy's init targets: a listener (or the server) is warm when every target it waits for is
// ready: its route configurations and secrets have arrived, or their initial fetch timed out.
import { parseDurationJson, type Json, type JsonObject } from './proto';

export class InitTarget {
  private resolve!: () => void;
  private isReady = false;
  readonly done: Promise<void>;

  constructor(readonly name: string) {
    this.done = new Promise((resolve) => (this.resolve = resolve));
  }

  get ready(): boolean {
    return this.isReady;
  }

  markReady(): void {
    if (this.isReady) return;
    this.isReady = true;
    this.resolve();
  }
}

/** A duration field in milliseconds, or null when absent. */
export function durationMs(value: Json | undefined): number | null {
  if (value === undefined || value === null) return null;
  const { seconds, nanos } = parseDurationJson(value);
  return seconds * 1000 + nanos / 1e6;
}

/** ConfigSource.initial_fetch_timeout: absent means Envoy's 15 s, "0s" means wait for ever (null). */
export function initialFetchTimeoutMs(configSource: JsonObject | undefined): number | null {
  const value = durationMs(configSource?.initial_fetch_timeout);
  if (value === null) return 15_000;
  return value === 0 ? null : value;
}

/** Marks the target ready after the config source's initial fetch timeout, unless it is first. */
export function armInitialFetchTimeout(target: InitTarget, configSource: JsonObject | undefined, onTimeout: () => void): void {
  const timeout = initialFetchTimeoutMs(configSource);
  if (timeout === null) return;
  const timer = setTimeout(() => {
    if (target.ready) return;
    onTimeout();
    target.markReady();
  }, timeout);
  timer.unref();
  void target.done.then(() => clearTimeout(timer));
}
