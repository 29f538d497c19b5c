// Envoy-like application logs on stderr: spdlog patterns (Envoy's default
// "[%Y-%m-%d %T.%e][%t][%l][%n] [%g:%#] %v", or the bootstrap's application_log_config, which
// Istio sets), Envoy's level names, per-component levels (-l, --component-log-level, /logging).
// Messages never carry key material: callers log names, serials and counts, not PEM.

export const LEVELS = ['trace', 'debug', 'info', 'warning', 'error', 'critical', 'off'] as const;
export type Level = (typeof LEVELS)[number];

export const DEFAULT_PATTERN = '[%Y-%m-%d %T.%e][%t][%l][%n] [%g:%#] %v';

/** Envoy's logger names the stand-in uses (a subset of Envoy's). */
export type Component =
  | 'admin'
  | 'config'
  | 'connection'
  | 'conn_handler'
  | 'http'
  | 'http2'
  | 'init'
  | 'main'
  | 'misc'
  | 'router'
  | 'secret'
  | 'upstream'
  | 'filter';

export interface LogFormat {
  text?: string;
  json?: Record<string, string>;
}

export function parseLevel(value: string): Level | null {
  const lower = value.toLowerCase();
  if (lower === 'warn') return 'warning';
  if (lower === 'err') return 'error';
  return (LEVELS as readonly string[]).includes(lower) ? (lower as Level) : null;
}

const SHORT_LEVEL: Record<Level, string> = { trace: 'T', debug: 'D', info: 'I', warning: 'W', error: 'E', critical: 'C', off: 'O' };

export class Logger {
  private level: Level;
  private readonly componentLevels = new Map<string, Level>();
  private format: LogFormat = { text: DEFAULT_PATTERN };

  constructor(
    level: Level = 'info',
    private readonly write: (line: string) => void = (line) => process.stderr.write(line),
  ) {
    this.level = level;
  }

  setLevel(level: Level): void {
    this.level = level;
    this.componentLevels.clear();
  }

  setComponentLevel(component: string, level: Level): void {
    this.componentLevels.set(component, level);
  }

  /** "upstream:debug,config:trace" as Envoy's --component-log-level takes it; returns what it could not read. */
  applyComponentLevels(spec: string): string[] {
    const bad: string[] = [];
    for (const item of spec.split(',').filter(Boolean)) {
      const [component, value] = item.split(':');
      const level = value === undefined ? null : parseLevel(value);
      if (!component || !level) bad.push(item);
      else this.setComponentLevel(component, level);
    }
    return bad;
  }

  setFormat(format: LogFormat): void {
    this.format = format;
  }

  levelOf(component: string): Level {
    return this.componentLevels.get(component) ?? this.level;
  }

  /** Levels by component, for /logging. */
  levels(components: readonly string[]): Record<string, Level> {
    return Object.fromEntries(components.map((component) => [component, this.levelOf(component)]));
  }

  enabled(component: Component, level: Level): boolean {
    const threshold = this.levelOf(component);
    return threshold !== 'off' && LEVELS.indexOf(level) >= LEVELS.indexOf(threshold);
  }

  log(component: Component, level: Level, message: string, source = 'twin/envoy:0'): void {
    if (!this.enabled(component, level)) return;
    const [file, line] = splitSource(source);
    this.write(`${render(this.format, { now: new Date(), level, component, message, file, line })}\n`);
  }

  trace(component: Component, message: string, source?: string): void {
    this.log(component, 'trace', message, source);
  }
  debug(component: Component, message: string, source?: string): void {
    this.log(component, 'debug', message, source);
  }
  info(component: Component, message: string, source?: string): void {
    this.log(component, 'info', message, source);
  }
  warn(component: Component, message: string, source?: string): void {
    this.log(component, 'warning', message, source);
  }
  error(component: Component, message: string, source?: string): void {
    this.log(component, 'error', message, source);
  }
  critical(component: Component, message: string, source?: string): void {
    this.log(component, 'critical', message, source);
  }
}

function splitSource(source: string): [string, string] {
  const at = source.lastIndexOf(':');
  return at < 0 ? [source, '0'] : [source.slice(0, at), source.slice(at + 1)];
}

interface Entry {
  now: Date;
  level: Level;
  component: string;
  message: string;
  file: string;
  line: string;
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** One spdlog pattern expanded (the flags Envoy and Istio use; UTC, as in a container). */
export function renderPattern(pattern: string, entry: Entry): string {
  const { now } = entry;
  const millis = now.getUTCMilliseconds();
  return pattern.replace(/%([YmdHMSTeFfltnvgs#@L_j%])/g, (_match, flag: string) => {
    switch (flag) {
      case 'Y':
        return String(now.getUTCFullYear());
      case 'm':
        return pad(now.getUTCMonth() + 1);
      case 'd':
        return pad(now.getUTCDate());
      case 'H':
        return pad(now.getUTCHours());
      case 'M':
        return pad(now.getUTCMinutes());
      case 'S':
        return pad(now.getUTCSeconds());
      case 'T':
        return `${pad(now.getUTCHours())}:${pad(now.getUTCMinutes())}:${pad(now.getUTCSeconds())}`;
      case 'e':
        return pad(millis, 3);
      case 'f':
        return pad(millis * 1000, 6);
      case 'F':
        return pad(millis * 1_000_000, 9);
      case 'l':
        return entry.level;
      case 'L':
        return SHORT_LEVEL[entry.level];
      case 't':
        return String(process.pid);
      case 'n':
        return entry.component;
      case 'v':
      case '_':
        return entry.message;
      case 'j':
        return JSON.stringify(entry.message).slice(1, -1);
      case 'g':
        return entry.file;
      case 's':
        return entry.file.slice(entry.file.lastIndexOf('/') + 1);
      case '#':
        return entry.line;
      case '@':
        return `${entry.file}:${entry.line}`;
      default:
        return '%';
    }
  });
}

function render(format: LogFormat, entry: Entry): string {
  if (format.json) {
    // JSON.stringify escapes the message itself, so %j renders as the plain message here.
    const object = Object.fromEntries(Object.entries(format.json).map(([key, pattern]) => [key, renderPattern(pattern.replaceAll('%j', '%v'), entry)]));
    return JSON.stringify(object);
  }
  return renderPattern(format.text ?? DEFAULT_PATTERN, entry);
}
