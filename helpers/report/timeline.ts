// The run's timeline as the HTML report draws it: where each step that ran sits on the run's time
// axis, how much of it was spent waiting for the gateway, the phases around the steps (the target's
// preparation and release), and upgrade probes when the run made them. Positions are percentages of
// the whole run, from the report's own times; nothing is guessed for a step without a start time.
import type { StepStatus } from './model';
import type { ConformanceReport } from './model';

export interface TimelineRow {
  label: string;
  title: string;
  status: StepStatus | 'phase';
  startMs: number;
  durationMs: number;
  waitMs: number;
  leftPct: number;
  widthPct: number;
  /** The wait's share of the bar (0 to 100), drawn at the bar's start. */
  waitPct: number;
}

export interface TimelineMark {
  atMs: number;
  leftPct: number;
  ok: boolean;
  outcome: string;
}

export interface Timeline {
  totalMs: number;
  rows: TimelineRow[];
  probes: TimelineMark[];
}

// A bar narrower than this cannot be seen; its real duration is in the row's figures.
const MIN_WIDTH_PCT = 0.4;

const clampPct = (value: number) => Math.min(100, Math.max(0, value));
const round = (value: number) => Math.round(value * 100) / 100;

/** `before`: what the time before the first step held (default: the target's preparation). */
export function timelineOf(report: Pick<ConformanceReport, 'startedAt' | 'durationMs' | 'steps' | 'upgradeProbes'>, before = 'the target prepared, the catalogue started'): Timeline {
  const origin = Date.parse(report.startedAt);
  const ran = report.steps.filter((step) => step.status !== 'skipped' && step.startedAt !== undefined);
  const lastEnd = Math.max(0, ...ran.map((step) => Date.parse(step.startedAt!) - origin + step.durationMs));
  // A step can end after durationMs was taken (clock steps): the axis covers both.
  const totalMs = Math.max(report.durationMs, lastEnd, 1);
  const pct = (ms: number) => round(clampPct((ms / totalMs) * 100));
  const row = (label: string, title: string, status: TimelineRow['status'], startMs: number, durationMs: number, waitMs = 0): TimelineRow => ({
    label,
    title,
    status,
    startMs,
    durationMs,
    waitMs,
    leftPct: pct(startMs),
    widthPct: round(Math.max(MIN_WIDTH_PCT, Math.min(pct(durationMs), 100 - pct(startMs)))),
    waitPct: durationMs > 0 ? round(clampPct((waitMs / durationMs) * 100)) : 0,
  });
  const rows = ran.map((step) => row(step.id, step.title, step.status, Date.parse(step.startedAt!) - origin, step.durationMs, step.waitMs ?? 0));
  if (rows.length > 0) {
    const first = Math.min(...rows.map((r) => r.startMs));
    if (first > 0) rows.unshift(row('before', before, 'phase', 0, first));
    if (totalMs - lastEnd > 0) rows.push(row('after', 'reports written, the target given back', 'phase', lastEnd, totalMs - lastEnd));
  }
  const probes = (report.upgradeProbes ?? []).map((probe) => {
    const atMs = Date.parse(probe.at) - origin;
    return { atMs, leftPct: pct(atMs), ok: probe.ok, outcome: probe.outcome };
  });
  return { totalMs, rows, probes };
}
