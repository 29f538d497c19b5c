// The conformance report as one self-contained HTML page (reports/report.html), for someone who
// was not there: the verdict first, the failures open with what was expected and observed and a
// link to their diagnostics, every step in catalogue order, a timeline of the run, and the target
// and versions it ran on. Inline CSS only: no script, no external URL, so it opens the same from a
// CI artifact, a mail attachment or a file share. Built from the same ConformanceReport as the JSON.
import { formatDuration } from '../progress';
import type { StepResult } from './model';
import type { DiagnosticsLinks } from './diagnostics-links';
import { html, type Html } from './html-template';
import type { ConformanceReport } from './model';
import type { RepeatSummary } from './repeat';
import { timelineOf } from './timeline';
import { STYLE } from './style';

export interface HtmlReportOptions {
  /** The catalogue's name, as the page's title says it. */
  catalogue: string;
  /** Diagnostics bundles of failed steps, by step ID (links relative to the page). */
  diagnostics?: Record<string, DiagnosticsLinks>;
  /** `--repeat N`: the runs summed up per step (the report itself is the last run). */
  repeat?: RepeatSummary;
  /** Files beside the page worth linking (conformance.json, conformance.xml, repeat.json), relative. */
  files?: string[];
  /** When the page was written (default now). */
  writtenAt?: Date;
}


const seconds = (ms: number | null | undefined) => (ms === null || ms === undefined ? '-' : formatDuration(ms));
const percent = (rate: number | null) => (rate === null ? '-' : `${Math.round(rate * 100)}%`);
export const stepAnchor = (id: string) => `step-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;

function status(value: string, label = value): Html {
  return html`<span class="status ${value.replace(/ /g, '-')}">${label}</span>`;
}

function diagnosticsLine(links: DiagnosticsLinks | undefined): Html {
  if (!links) return html`<p class="note">No diagnostics bundle was written for this step.</p>`;
  const items = [
    links.index ? html`<a href="${links.index}">index.json</a>` : undefined,
    links.readme ? html`<a href="${links.readme}">README</a>` : undefined,
    html`<a href="${links.folder}">the folder</a>`,
  ].filter((item): item is Html => item !== undefined);
  const line = html`<p>Diagnostics: ${items.flatMap((item, i) => (i === 0 ? [item] : [html` · `, item]))}</p>`;
  if (links.parts.length === 0) return line;
  const rows = links.parts.map(
    (part) => html`<tr><td>${part.href ? html`<a href="${part.href}">${part.part}</a>` : part.part}</td><td>${part.holds}</td><td>${part.reason ?? (part.href ? 'collected' : 'not written')}</td></tr>`,
  );
  return html`${line}<table class="diagnostics"><thead><tr><th>Part</th><th>What it holds</th><th>Collected</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function failureDetails(step: StepResult, links: DiagnosticsLinks | undefined): Html {
  return html`<details class="failure" open id="${stepAnchor(step.id)}-failure"><summary>${step.id} failed: ${step.title}</summary>
<dl><dt>Expected</dt><dd>${step.expected ?? '(the step did not say)'}</dd><dt>Observed</dt><dd>${step.observed ?? '(nothing was recorded)'}</dd>${
    step.waitMs !== undefined ? html`<dt>Waited</dt><dd>${seconds(step.waitMs)} of its ${seconds(step.durationMs)} for the gateway to show it</dd>` : ''
  }</dl>${diagnosticsLine(links)}</details>`;
}

function verdict(report: ConformanceReport, options: HtmlReportOptions): Html {
  const failed = report.steps.filter((step) => step.status === 'failed');
  const counts = ['passed', 'failed', 'skipped'].map((kind) => `${report.steps.filter((step) => step.status === kind).length} ${kind}`).join(', ');
  const noneRan = report.steps.every((step) => step.status === 'skipped');
  const repeat = options.repeat;
  const repeatFailed = repeat ? repeat.failedRuns > 0 : false;
  const ok = failed.length === 0 && !noneRan && !repeatFailed;
  const flaky = repeat?.steps.filter((step) => step.stability === 'flaky') ?? [];
  return html`<section class="verdict ${ok ? 'passed' : 'failed'}" id="verdict"><strong>${ok ? 'Passed' : 'Failed'}</strong>: ${counts}${
    repeat ? html` in the last of ${repeat.runs} runs; ${repeat.failedRuns} of ${repeat.runs} runs had a failed step` : ''
  }.${noneRan ? html` No step ran, so the run checked nothing.` : ''}
${failed.length > 0 ? html`<ul>${failed.map((step) => html`<li><a href="#${stepAnchor(step.id)}-failure">${step.id}</a> ${step.title}: expected ${step.expected ?? '?'}, but ${step.observed ?? '?'}</li>`)}</ul>` : ''}
${flaky.length > 0 ? html`<p>Flaky (passed in some runs, failed in others): ${flaky.map((step, i) => html`${i > 0 ? ', ' : ''}<a href="#repeat-${stepAnchor(step.id)}">${step.id}</a> ${percent(step.passRate)}`)}.</p>` : ''}</section>`;
}

function runFacts(report: ConformanceReport, options: HtmlReportOptions): Html {
  const rows: Array<[string, string]> = [
    ['Target', report.target],
    ['Profile', report.profile ? `${report.profile}${report.profileReason ? ` (${report.profileReason})` : ''}` : 'not known (the run did not get that far)'],
    ['Istio', report.istioVersion ?? 'not known'],
    ['Kubernetes', report.kubernetesVersion ?? 'not known'],
    ...(report.networkingVersion ? [['Istio networking API', report.networkingVersion] as [string, string]] : []),
    ...Object.entries(report.tools).map(([tool, version]): [string, string] => [`Tool: ${tool}`, version]),
    ['Started', report.startedAt],
    ['Duration', seconds(report.durationMs)],
    ...(options.repeat ? [['Runs', `${options.repeat.runs} (--repeat); the steps below are the last run's`] as [string, string]] : []),
  ];
  return html`<table id="run"><thead><tr><th scope="col">Fact</th><th scope="col">Value</th></tr></thead><tbody>${rows.map(
    ([name, value]) => html`<tr><th scope="row">${name}</th><td>${value}</td></tr>`,
  )}</tbody></table>`;
}

function stepRows(report: ConformanceReport, options: HtmlReportOptions): Html {
  const rows = report.steps.map((step, index) => {
    const note = step.status === 'skipped' ? `skipped: ${step.reason ?? 'no reason recorded'}` : step.status === 'passed' ? (step.observed ?? '') : 'see below';
    const row = html`<tr class="${step.status}" id="${stepAnchor(step.id)}"><td class="num">${index + 1}</td><td class="id">${step.id}</td><td>${step.title}</td><td>${status(step.status)}</td><td class="num">${
      step.status === 'skipped' ? '-' : seconds(step.durationMs)
    }</td><td class="num">${step.waitMs === undefined ? '-' : seconds(step.waitMs)}</td><td class="note">${note}</td></tr>`;
    if (step.status !== 'failed') return row;
    return html`${row}<tr class="failed"><td colspan="7">${failureDetails(step, options.diagnostics?.[step.id])}</td></tr>`;
  });
  return html`<table id="steps"><thead><tr><th scope="col" class="num">#</th><th scope="col">ID</th><th scope="col">Step</th><th scope="col">Status</th><th scope="col" class="num">Time</th><th scope="col" class="num">Waiting</th><th scope="col">Observed, or why skipped</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function timeline(report: ConformanceReport, repeated: boolean): Html {
  const line = timelineOf(report, repeated ? 'the target prepared and the earlier runs (--repeat); this is the last run' : undefined);
  if (line.rows.length === 0) return html`<p class="note">No step ran, so there is no timeline.</p>`;
  const rows = line.rows.map(
    (row) => html`<tr><td class="id">${row.label}</td><td class="num">${seconds(row.startMs)}</td><td class="num">${seconds(row.durationMs)}</td><td class="num">${row.waitMs > 0 ? seconds(row.waitMs) : '-'}</td><td><div class="track" title="${row.title}"><div class="bar ${row.status}" style="left:${row.leftPct}%;width:${row.widthPct}%">${
      row.waitPct > 0 ? html`<div class="wait" style="width:${row.waitPct}%"></div>` : ''
    }</div></div></td></tr>`,
  );
  const probes =
    line.probes.length === 0
      ? ''
      : html`<tr><td class="id">upgrade probes</td><td class="num">-</td><td class="num">${line.probes.length} sent</td><td class="num">${line.probes.filter((probe) => !probe.ok).length} failed</td><td><div class="track">${line.probes.map(
          (probe) => html`<div class="mark ${probe.ok ? '' : 'bad'}" style="left:${probe.leftPct}%" title="${seconds(probe.atMs)}: ${probe.outcome}"></div>`,
        )}</div></td></tr>`;
  return html`<p class="legend">Time from the start of the run (${seconds(line.totalMs)} in all).<span style="background:var(--pass)"></span>step<span style="background:var(--fail)"></span>failed step<span class="wait"></span>of which waiting for the gateway (striped: its total, drawn at the bar's start)<span style="background:#9aa3ad"></span>target and runner</p>
<table id="timeline"><thead><tr><th scope="col">Step</th><th scope="col" class="num">Starts at</th><th scope="col" class="num">Duration</th><th scope="col" class="num">Waiting</th><th scope="col">Timeline</th></tr></thead><tbody>${rows}${probes}</tbody></table>`;
}

function repeatSection(summary: RepeatSummary): Html {
  const rows = summary.steps.map(
    (step) => html`<tr id="repeat-${stepAnchor(step.id)}" class="${step.stability === 'stable' ? '' : 'failed'}"><td class="id">${step.id}</td><td>${step.title}</td><td>${status(step.stability)}</td><td class="num">${percent(step.passRate)}</td><td class="num">${step.passed}</td><td class="num">${step.failed}</td><td class="num">${step.skipped}</td><td class="num">${seconds(step.p50Ms)}</td><td class="num">${seconds(step.p95Ms)}</td></tr>${
      step.failures.length > 0
        ? html`<tr class="failed"><td colspan="9"><details class="failure" open><summary>${step.id} failed in ${step.failures.length} of ${step.passed + step.failed} runs</summary>${step.failures.map(
            (failure) => html`<dl><dt>Run</dt><dd>${failure.run}</dd><dt>Expected</dt><dd>${failure.expected ?? '(the step did not say)'}</dd><dt>Observed</dt><dd>${failure.observed ?? '(nothing was recorded)'}</dd></dl>`,
          )}</details></td></tr>`
        : ''
    }`,
  );
  const longest = Math.max(1, ...summary.perRun.map((run) => run.durationMs));
  const runRows = summary.perRun.map(
    (run) => html`<tr class="${run.failed > 0 ? 'failed' : ''}"><td class="num">${run.run}</td><td>${run.startedAt}</td><td class="num">${seconds(run.durationMs)}</td><td class="num">${run.passed}</td><td class="num">${run.failed}</td><td class="num">${run.skipped}</td><td><div class="track"><div class="bar ${run.failed > 0 ? 'failed' : ''}" style="left:0%;width:${Math.max(0.4, Math.round((run.durationMs / longest) * 10_000) / 100)}%"></div></div></td></tr>`,
  );
  return html`<h2>Repeated runs</h2><p class="note">${summary.runs} runs of the catalogue on one target. Pass rate counts the runs in which the step ran; p50 and p95 are nearest-rank percentiles of its duration in those runs. A step is flaky when it passed in some runs and failed in others.</p>
<table id="repeat-runs"><thead><tr><th scope="col" class="num">Run</th><th scope="col">Started</th><th scope="col" class="num">Duration</th><th scope="col" class="num">Passed</th><th scope="col" class="num">Failed</th><th scope="col" class="num">Skipped</th><th scope="col">Duration, against the longest run</th></tr></thead><tbody>${runRows}</tbody></table>
<table id="repeat"><thead><tr><th scope="col">ID</th><th scope="col">Step</th><th scope="col">Stability</th><th scope="col" class="num">Pass rate</th><th scope="col" class="num">Passed</th><th scope="col" class="num">Failed</th><th scope="col" class="num">Skipped</th><th scope="col" class="num">p50</th><th scope="col" class="num">p95</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function renderHtmlReport(report: ConformanceReport, options: HtmlReportOptions): string {
  const failed = report.steps.some((step) => step.status === 'failed') || (options.repeat?.failedRuns ?? 0) > 0;
  const title = `${options.catalogue}: ${failed ? 'failed' : 'passed'} on ${report.target}`;
  const files = options.files ?? [];
  const page = html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><style>${STYLE}</style></head>
<body><header><h1>${options.catalogue}: conformance report</h1>
<p class="sub">Istio ingress gateway TLS, run on the <strong>${report.target}</strong> target (Istio ${report.istioVersion ?? 'version not known'}, Kubernetes ${report.kubernetesVersion ?? 'version not known'}), started ${report.startedAt}, took ${seconds(report.durationMs)}.</p></header>
<main>${verdict(report, options)}
<h2>The run</h2>${runFacts(report, options)}
<h2>Steps, in the catalogue's order</h2>${stepRows(report, options)}
<h2>Timeline${options.repeat ? ' of the last run' : ''}</h2>${timeline(report, options.repeat !== undefined)}
${options.repeat ? repeatSection(options.repeat) : ''}</main>
<footer><p>Written ${(options.writtenAt ?? new Date()).toISOString()} from the same report as ${files.length > 0 ? files.map((file, i) => html`${i > 0 ? ', ' : ''}<a href="${file}">${file}</a>`) : 'the JSON report'}. Each step's ID is its entry in the catalogue's STEPS.md.</p></footer>
</body></html>
`;
  return page.markup;
}
