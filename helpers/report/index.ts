// The conformance report: one JSON document a run, one entry per catalogue step in catalogue
// order, with what was expected and observed. It never holds key material: steps report
// certificates by subject and serial only, and the writer refuses anything that looks like a key.
// The same report is also written as one HTML page (html.ts), with the same refusal.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CatalogueResults, ConformanceReport } from './model';

export { summarize, type ConformanceReport, type UpgradeProbe } from './model';
import { findDiagnostics } from './diagnostics-links';
import { renderHtmlReport, type HtmlReportOptions } from './html';
import type { RepeatRun, RepeatSummary } from './repeat';
import { refuseKeyMaterial } from './no-keys';
import { catalogueSummary, writeSummary } from './summary';

export function writeReport(file: string, report: ConformanceReport | RepeatReport): void {
  const text = JSON.stringify(report, null, 2);
  refuseKeyMaterial(text);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${text}\n`);
}

/** The files beside the HTML page that it links when they are there. */
const COMPANIONS = ['conformance.json', 'conformance.xml', 'repeat.json'];

/**
 * Writes the report as HTML (`file`, e.g. reports/secure-gateways/report.html), linking each failed
 * step to its diagnostics bundle under `<file's folder>/diagnostics/<step ID>/` when one exists now.
 */
export function writeHtmlReport(file: string, report: ConformanceReport, options: Omit<HtmlReportOptions, 'diagnostics' | 'files'>): void {
  const dir = path.dirname(file);
  const failed = report.steps.filter((step) => step.status === 'failed').map((step) => step.id);
  // Checked before rendering too: escaping could hide armour from the check on the page.
  refuseKeyMaterial(JSON.stringify({ report, repeat: options.repeat }));
  const page = renderHtmlReport(report, {
    ...options,
    diagnostics: findDiagnostics(dir, failed),
    files: COMPANIONS.filter((name) => existsSync(path.join(dir, name))),
  });
  refuseKeyMaterial(page);
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, page);
}

/** The report of one catalogue run, from its step results and what the target says of itself. */
export function reportOf(
  target: { name: string; istioVersion?: string; tools: Record<string, string> },
  results: Pick<CatalogueResults, 'run' | 'steps'>,
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

/** A catalogue's own files, in reports/<catalogue>/. */
export interface CatalogueReportFiles {
  json: string;
  html: string;
  repeat?: string;
}

export interface RunReportFiles {
  catalogues: CatalogueReportFiles[];
  /** Across the run's catalogues: reports/summary.json and reports/report.html. */
  summary: { json: string; html: string };
}

/** One catalogue's outcome in a run, for writeRunReports. */
export interface CatalogueOutcome {
  catalogue: { id: string; name: string };
  report: ConformanceReport;
  repeat?: RepeatReport;
}

/**
 * What every run writes: for each catalogue, into reports/<catalogue>/, conformance.json,
 * report.html beside it and repeat.json for --repeat (an older one is removed otherwise, so the
 * page never links a stale one); then the summary across them (summary.json, report.html).
 */
export function writeRunReports(reportDir: string, outcomes: CatalogueOutcome[]): RunReportFiles {
  const catalogues = outcomes.map(({ catalogue, report, repeat }) => {
    const folder = catalogueReportDir(reportDir, catalogue.id);
    const files: CatalogueReportFiles = { json: path.join(folder, 'conformance.json'), html: path.join(folder, 'report.html') };
    writeReport(files.json, report);
    const repeatFile = path.join(folder, 'repeat.json');
    if (repeat) {
      writeReport(repeatFile, repeat);
      files.repeat = repeatFile;
    } else {
      rmSync(repeatFile, { force: true });
    }
    writeHtmlReport(files.html, report, { catalogue: catalogue.name, repeat: repeat?.summary });
    return files;
  });
  const summary = writeSummary(reportDir, outcomes.map(({ catalogue, report }) => catalogueSummary(catalogue, report)));
  return { catalogues, summary };
}

/** A catalogue's folder under the reports: its reports, JUnit XML, step results and diagnostics. */
export function catalogueReportDir(reportDir: string, catalogueId: string): string {
  return path.resolve(reportDir, catalogueId);
}

/** Where the catalogue's suite writes its step results and the runner reads them. */
export function stepResultsFile(reportDir: string, catalogueId: string): string {
  return path.join(catalogueReportDir(reportDir, catalogueId), 'steps.json');
}
