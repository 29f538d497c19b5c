// How a build shows itself: one line per event on stderr (what builds, how long it took), a line at
// least every heartbeat while a step runs (CI logs show life), and on failure one line naming the
// unit plus the tail of the Go output, never a stack trace.
import { UsageError } from '../../helpers/config';
import { formatDuration } from '../../helpers/progress';

export { formatDuration };

export const TAIL_LINES = 30;

/** A failed build: one line naming the unit and version, then the Go output's last lines. */
export class TwinBuildError extends UsageError {
  override name = 'TwinBuildError';
  constructor(
    readonly label: string,
    readonly headline: string,
    readonly tail: string[],
  ) {
    super(renderFailure(label, headline, tail));
  }
}

export function renderFailure(label: string, headline: string, tail: string[]): string {
  const first = `building ${label} failed: ${headline}`;
  if (tail.length === 0) return `${first} (no output)`;
  return `${first}; last ${tail.length} lines of output:\n${tail.map((line) => `  | ${line}`).join('\n')}`;
}

export function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.round(bytes / 1024)} KB`;
}

// `go build -v` names each package as it compiles it: a bare import path on a line of its own.
const packageLine = /^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~+-]+)*$/;

/**
 * Collects a child's output: counts the packages `go build -v` names (for the heartbeat) and keeps
 * the last lines of everything else (for the failure message).
 */
export class GoOutput {
  packages = 0;
  lastPackage: string | undefined;
  private partial = '';
  private readonly other: string[] = [];
  private readonly all: string[] = [];

  constructor(private readonly keep = TAIL_LINES) {}

  push(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop()!;
    for (const line of lines) this.line(line);
  }

  /** The last lines that are not package names (or the last lines at all, if all were). */
  tail(): string[] {
    if (this.partial) {
      this.line(this.partial);
      this.partial = '';
    }
    return this.other.length > 0 ? [...this.other] : [...this.all];
  }

  private line(raw: string): void {
    const line = raw.replace(/\s+$/, '');
    if (!line) return;
    remember(this.all, line, this.keep);
    if (packageLine.test(line)) {
      this.packages += 1;
      this.lastPackage = line;
    } else {
      remember(this.other, line, this.keep);
    }
  }
}

function remember(lines: string[], line: string, keep: number): void {
  lines.push(line);
  if (lines.length > keep) lines.shift();
}

/** The heartbeat line for a running step. */
export function heartbeatLine(label: string, phase: string, elapsedMs: number, output: GoOutput, estimateMs?: number): string {
  const packages = output.packages > 0 ? `, ${output.packages} packages compiled, last ${output.lastPackage}` : '';
  const estimate = estimateMs ? ` of about ${formatDuration(estimateMs)}` : '';
  return `${label}: still ${phase} (${formatDuration(elapsedMs)}${estimate}${packages})`;
}
