// The run's summary across catalogues: reports/summary.json and reports/report.html, the page to
// open first. One row a catalogue with its counts and a link to its own page
// (reports/<catalogue>/report.html), and each failed step named with what was observed.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatDuration } from '../progress';
import { html } from './html-template';
import { summarize, type ConformanceReport } from './model';
import { stepAnchor } from './html';
import { refuseKeyMaterial } from './no-keys';
import { STYLE } from './style';

export interface CatalogueSummary {
  id: string;
  name: string;
  target: string;
  istioVersion: string | null;
  startedAt: string;
  durationMs: number;
  passed: number;
  failed: number;
  skipped: number;
  /** Relative to the summary's folder. */
  report: string;
  json: string;
  failedSteps: Array<{ id: string; title: string; observed?: string }>;
}

export interface RunSummary {
  writtenAt: string;
  catalogues: CatalogueSummary[];
}

export function catalogueSummary(catalogue: { id: string; name: string }, report: ConformanceReport): CatalogueSummary {
  return {
    id: catalogue.id,
    name: catalogue.name,
    target: report.target,
    istioVersion: report.istioVersion,
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    ...summarize(report.steps),
    report: `${catalogue.id}/report.html`,
    json: `${catalogue.id}/conformance.json`,
    failedSteps: report.steps.filter((step) => step.status === 'failed').map((step) => ({ id: step.id, title: step.title, ...(step.observed ? { observed: step.observed } : {}) })),
  };
}

export function renderSummary(summary: RunSummary): string {
  const failed = summary.catalogues.filter((entry) => entry.failed > 0);
  const verdict = failed.length > 0 ? 'failed' : 'passed';
  const rows = summary.catalogues.map(
    (entry) => html`<tr class="${entry.failed > 0 ? 'failed' : 'passed'}"><td><a href="${entry.report}">${entry.name}</a> <span class="note">(${entry.id})</span></td><td>${entry.target}</td><td>${entry.istioVersion ?? 'unknown'}</td><td class="num">${entry.passed}</td><td class="num">${entry.failed}</td><td class="num">${entry.skipped}</td><td class="num">${formatDuration(entry.durationMs)}</td><td><a href="${entry.json}">JSON</a></td></tr>`,
  );
  const failures = failed.map(
    (entry) => html`<h2>${entry.name}: failed steps</h2><table><thead><tr><th scope="col">Step</th><th scope="col">What the doc says</th><th scope="col">Observed</th></tr></thead><tbody>${entry.failedSteps.map(
      (step) => html`<tr class="failed"><td class="id"><a href="${`${entry.report}#${stepAnchor(step.id)}-failure`}">${step.id}</a></td><td>${step.title}</td><td>${step.observed ?? ''}</td></tr>`,
    )}</tbody></table>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Conformance summary: ${verdict}</title><style>${STYLE}</style></head>
<body><h1>Istio ingress gateway conformance: ${verdict}</h1>
<p class="sub">${summary.catalogues.length} catalogue(s), written ${summary.writtenAt}. Each catalogue's page has every step, its timeline and the diagnostics of its failures.</p>
${html`<div class="verdict ${verdict}"><strong>${failed.length > 0 ? `${failed.length} of ${summary.catalogues.length} catalogue(s) failed` : 'Every catalogue passed'}</strong></div>`}
${html`<table><thead><tr><th scope="col">Catalogue</th><th scope="col">Target</th><th scope="col">Istio</th><th scope="col" class="num">Passed</th><th scope="col" class="num">Failed</th><th scope="col" class="num">Skipped</th><th scope="col" class="num">Time</th><th scope="col">Data</th></tr></thead><tbody>${rows}</tbody></table>`}
${html`${failures}`}
</body></html>
`;
}

/** Writes summary.json and report.html into the report folder. */
export function writeSummary(reportDir: string, catalogues: CatalogueSummary[], writtenAt = new Date()): { json: string; html: string } {
  const summary: RunSummary = { writtenAt: writtenAt.toISOString(), catalogues };
  const files = { json: path.resolve(reportDir, 'summary.json'), html: path.resolve(reportDir, 'report.html') };
  const text = JSON.stringify(summary, null, 2);
  const page = renderSummary(summary);
  refuseKeyMaterial(text);
  refuseKeyMaterial(page);
  mkdirSync(reportDir, { recursive: true });
  writeFileSync(files.json, `${text}\n`);
  writeFileSync(files.html, page);
  return files;
}
