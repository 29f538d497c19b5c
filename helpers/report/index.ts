// The conformance report: one JSON document a run, one entry per catalogue step in catalogue
// order, with what was expected and observed. It never holds key material: steps report
// certificates by subject and serial only, and the writer refuses anything that looks like a key.
// The same report is also written as one HTML page (html.ts), with the same refusal.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { StepResult } from '../../suites/runtime/results';
import { findDiagnostics } from './diagnostics-links';
import { renderHtmlReport, type HtmlReportOptions } from './html';
import type { RepeatRun, RepeatSummary } from './repeat';

/** A request sent while the control plane was upgraded (an upgrade rehearsal), and how it fared. */
export interface UpgradeProbe {
  /** ISO time the request was sent. */
  at: string;
  ok: boolean;
  /** What was seen, in the doc's terms ("HTTP/2 418", "connection reset"). */
  outcome: string;
}

export interface ConformanceReport {
  target: string;
  profile: string | null;
  /** Why that profile: configured, or what was detected on the gateway. */
  profileReason?: string;
  /** The networking.istio.io version the suite wrote (the newest the cluster serves). */
  networkingVersion?: string;
  istioVersion: string | null;
  kubernetesVersion: string | null;
  tools: Record<string, string>;
  startedAt: string;
  durationMs: number;
  steps: StepResult[];
  /** Only from runs that upgrade Istio while probing the gateway; absent otherwise. */
  upgradeProbes?: UpgradeProbe[];
}

export function summarize(steps: StepResult[]): { passed: number; failed: number; skipped: number } {
  const count = (status: StepResult['status']) => steps.filter((step) => step.status === status).length;
  return { passed: count('passed'), failed: count('failed'), skipped: count('skipped') };
}

const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

function refuseKeyMaterial(text: string): void {
  if (PRIVATE_KEY.test(text)) throw new Error('refusing to write a report that contains private key material');
}

export function writeReport(file: string, report: ConformanceReport | RepeatReport): void {
  const text = JSON.stringify(report, null, 2);
  refuseKeyMaterial(text);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${text}\n`);
}

/** The files beside the HTML page that it links when they are there. */
const COMPANIONS = ['conformance.json', 'conformance.xml', 'repeat.json'];

/**
 * Writes the report as HTML (`file`, e.g. reports/report.html), linking each failed step to its
 * diagnostics bundle under `<file's folder>/<catalogueId>/diagnostics/<step ID>/` when one exists now.
 */
export function writeHtmlReport(
  file: string,
  report: ConformanceReport,
  options: Omit<HtmlReportOptions, 'diagnostics' | 'files'> & { catalogueId: string },
): void {
  const dir = path.dirname(file);
  const failed = report.steps.filter((step) => step.status === 'failed').map((step) => step.id);
  const { catalogueId, ...rest } = options;
  // Checked before rendering too: escaping could hide armour from the check on the page.
  refuseKeyMaterial(JSON.stringify({ report, repeat: rest.repeat }));
  const page = renderHtmlReport(report, {
    ...rest,
    diagnostics: findDiagnostics(dir, catalogueId, failed),
    files: COMPANIONS.filter((name) => existsSync(path.join(dir, name))),
  });
  refuseKeyMaterial(page);
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, page);
}

/** The report of one catalogue run, from its step results and what the target says of itself. */
export function reportOf(
  target: { name: string; istioVersion?: string; tools: Record<string, string> },
  results: { run: Record<string, unknown>; steps: StepResult[] },
  startedAt: Date,
): ConformanceReport {
  return {
    target: target.name,
    profile: (results.run.profile as string | undefined) ?? null,
    ...(typeof results.run.profileReason === 'string' ? { profileReason: results.run.profileReason } : {}),
    ...(typeof results.run.networkingVersion === 'string' ? { networkingVersion: results.run.networkingVersion } : {}),
    istioVersion: target.istioVersion ?? null,
    kubernetesVersion: (results.run.kubernetesVersion as string | undefined) ?? null,
    tools: target.tools,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    steps: results.steps,
  };
}

/** reports/repeat.json: what `--repeat N` saw, per step and run by run. */
export interface RepeatReport {
  target: string;
  istioVersion: string | null;
  startedAt: string;
  durationMs: number;
  summary: RepeatSummary;
  runs: RepeatRun[];
}

export interface RunReportFiles {
  json: string;
  html: string;
  repeat?: string;
}

/**
 * What every run writes into the report folder: conformance.json, report.html beside it, and
 * repeat.json for --repeat (an older one is removed otherwise, so the page never links a stale one).
 */
export function writeRunReports(reportDir: string, report: ConformanceReport, catalogue: { id: string; name: string }, repeat?: RepeatReport): RunReportFiles {
  const files: RunReportFiles = { json: path.resolve(reportDir, 'conformance.json'), html: path.resolve(reportDir, 'report.html') };
  writeReport(files.json, report);
  const repeatFile = path.resolve(reportDir, 'repeat.json');
  if (repeat) {
    writeReport(repeatFile, repeat);
    files.repeat = repeatFile;
  } else {
    rmSync(repeatFile, { force: true });
  }
  writeHtmlReport(files.html, report, { catalogue: catalogue.name, catalogueId: catalogue.id, repeat: repeat?.summary });
  return files;
}
