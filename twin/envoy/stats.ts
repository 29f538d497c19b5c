// Envoy's counters and gauges, as /stats and /stats/prometheus show them. The bootstrap's
// stats_config.stats_matcher decides which stats exist at all (Istio's bootstrap keeps only a few
// prefixes, so listener.* stats appear only with the inclusion annotation), and "used" follows
// Envoy: a counter once incremented, a gauge once set.
import { stringMatcher, type StringMatch } from './matchers';
import type { JsonObject } from './proto';

export interface Counter {
  inc(by?: number): void;
}

export interface Gauge {
  set(value: number): void;
  add(delta: number): void;
  sub(delta: number): void;
  value(): number;
}

interface Stat {
  kind: 'counter' | 'gauge';
  value: number;
  used: boolean;
}

const NOOP: Counter & Gauge = { inc: () => undefined, set: () => undefined, add: () => undefined, sub: () => undefined, value: () => 0 };

export class StatsStore {
  private readonly stats = new Map<string, Stat>();
  private readonly accepts: (name: string) => boolean;

  constructor(statsConfig?: JsonObject) {
    this.accepts = statsMatcher(statsConfig);
  }

  counter(name: string): Counter {
    const stat = this.stat(name, 'counter');
    if (!stat) return NOOP;
    return {
      inc: (by = 1) => {
        stat.value += by;
        stat.used = true;
      },
    };
  }

  gauge(name: string): Gauge {
    const stat = this.stat(name, 'gauge');
    if (!stat) return NOOP;
    return {
      set: (value) => {
        stat.value = value;
        stat.used = true;
      },
      add: (delta) => {
        stat.value += delta;
        stat.used = true;
      },
      sub: (delta) => {
        stat.value -= delta;
        stat.used = true;
      },
      value: () => stat.value,
    };
  }

  /** All stats by name, sorted as Envoy prints them. */
  entries(options: { usedOnly?: boolean; filter?: RegExp } = {}): Array<{ name: string; kind: 'counter' | 'gauge'; value: number }> {
    return [...this.stats.entries()]
      .filter(([name, stat]) => (!options.usedOnly || stat.used) && (!options.filter || options.filter.test(name)))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, stat]) => ({ name, kind: stat.kind, value: stat.value }));
  }

  private stat(name: string, kind: 'counter' | 'gauge'): Stat | null {
    const existing = this.stats.get(name);
    if (existing) return existing;
    if (!this.accepts(name)) return null;
    const stat: Stat = { kind, value: 0, used: false };
    this.stats.set(name, stat);
    return stat;
  }
}

/** stats_matcher: reject_all, exclusion_list or inclusion_list of StringMatchers; absent: all stats. */
function statsMatcher(statsConfig?: JsonObject): (name: string) => boolean {
  const matcher = statsConfig?.stats_matcher as JsonObject | undefined;
  if (!matcher) return () => true;
  if (matcher.reject_all === true) return () => false;
  const list = (key: 'inclusion_list' | 'exclusion_list'): StringMatch[] =>
    (((matcher[key] as JsonObject | undefined)?.patterns as JsonObject[] | undefined) ?? []).map((pattern) => stringMatcher(pattern));
  if (matcher.inclusion_list) {
    const include = list('inclusion_list');
    return (name) => include.some((match) => match(name));
  }
  if (matcher.exclusion_list) {
    const exclude = list('exclusion_list');
    return (name) => !exclude.some((match) => match(name));
  }
  return () => true;
}

/** A listener's stat prefix: listener.<address>_<port> (Envoy's name for the socket address). */
export function listenerStatPrefix(listener: JsonObject): string {
  if (typeof listener.stat_prefix === 'string' && listener.stat_prefix !== '') return `listener.${listener.stat_prefix}`;
  const socket = ((listener.address as JsonObject | undefined)?.socket_address as JsonObject | undefined) ?? {};
  return `listener.${String(socket.address ?? '')}_${Number(socket.port_value ?? 0)}`;
}
