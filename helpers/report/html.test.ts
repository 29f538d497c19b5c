// The HTML report as text: escaped, self-contained, the failure open with its diagnostics, the
// skip reasons, the timeline's figures and the repeat section. The page in a real browser is
// html.browser.test.ts.
import { describe, expect, test } from '@jest/globals';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { escapeHtml, html } from './html-template';
import { renderHtmlReport } from './html';
import { writeHtmlReport, writeReport } from './index';
import { summarizeRepeat } from './repeat';
import { timelineOf } from './timeline';
import { HOSTILE_OBSERVATION, sampleReport } from '../testing/sample-report';
import { tempDirs } from '../testing/temp-dirs';

const makeTemp = tempDirs();
const options = { catalogue: 'Secure Gateways (HTTPS)', writtenAt: new Date('2026-12-07T10:01:00.000Z') };

describe('the template', () => {
  test('escapes every interpolated string, both quote kinds included, and leaves its own fragments alone', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const inner = html`<b>${'1 < 2'}</b>`;
    expect(html`<p title="${'"quoted"'}">${inner}${['a&', html`<i>b</i>`]}${undefined}${false}${0}</p>`.markup).toBe('<p title="&quot;quoted&quot;"><b>1 &lt; 2</b>a&amp;<i>b</i>0</p>');
  });
});

describe('renderHtmlReport', () => {
  const page = renderHtmlReport(sampleReport(), options);

  test('shows the observation with markup as text, never as markup', () => {
    expect(page).not.toContain('<script');
    expect(page).toContain(escapeHtml(HOSTILE_OBSERVATION));
  });

  test('is self-contained: no script, no external URL, no stylesheet or image to fetch', () => {
    expect(page).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//i);
  });

  test('opens the failure with what was expected, what was observed and how long it waited', () => {
    const failure = /<details class="failure" open id="step-SG-M3-failure">([\s\S]*?)<\/details>/.exec(page)?.[1];
    expect(failure).toContain('<dt>Expected</dt><dd>a TLS refusal (handshake_failure or certificate_required)</dd>');
    expect(failure).toContain(`<dt>Observed</dt><dd>${escapeHtml(HOSTILE_OBSERVATION)}</dd>`);
    expect(failure).toContain('<dt>Waited</dt><dd>10.0 s of its 10.1 s');
    expect(failure).toContain('No diagnostics bundle was written for this step.');
    // Only the failure is open: a passed step has no details at all.
    expect(page.match(/<details[^>]* open/g)).toHaveLength(1);
  });

  test('the verdict says failed, counts the steps and links the failure', () => {
    expect(page).toMatch(/<section class="verdict failed" id="verdict"><strong>Failed<\/strong>: 3 passed, 1 failed, 1 skipped\./);
    expect(page).toContain('<li><a href="#step-SG-M3-failure">SG-M3</a>');
    expect(page).toContain('<title>Secure Gateways (HTTPS): failed on twin</title>');
  });

  test('a skipped step shows its reason; every step is in catalogue order', () => {
    expect(page).toContain('skipped: depends on SG-M3 (failed)');
    const order = [...page.matchAll(/<tr class="\w+" id="step-([\w-]+)">/g)].map((match) => match[1]);
    expect(order).toEqual(['SG-C1', 'SG-S4', 'SG-M3', 'SG-M4', 'SG-X1']);
  });

  test('names the target, the versions, the profile with its reason and the tools', () => {
    for (const text of ['<th scope="row">Target</th><td>twin</td>', '<td>1.31-dev</td>', '<td>v1.36.3</td>', 'file-mount (PROFILE=auto and the gateway mounts both doc secrets)', '<th scope="row">Tool: kubernetes</th>', 'networking.istio.io/v1']) {
      expect(page).toContain(text);
    }
  });

  test('a run where every step passed says passed', () => {
    const report = sampleReport();
    report.steps = report.steps.filter((step) => step.status === 'passed');
    const passed = renderHtmlReport(report, options);
    expect(passed).toContain('<section class="verdict passed"');
    expect(passed).not.toContain('<details');
  });

  test('a run where no step ran is not a pass', () => {
    const report = sampleReport();
    report.steps = report.steps.map((step) => ({ id: step.id, title: step.title, status: 'skipped', durationMs: 0, reason: 'the target could not be prepared: no cluster' }));
    expect(renderHtmlReport(report, options)).toMatch(/<strong>Failed<\/strong>: 0 passed, 0 failed, 5 skipped\. No step ran, so the run checked nothing\./);
  });
});

describe('the timeline', () => {
  test('places each step that ran at its start, with its wait as a share of its bar, and the phases around them', () => {
    const line = timelineOf(sampleReport());
    expect(line.totalMs).toBe(30_000);
    expect(line.rows.map((row) => row.label)).toEqual(['before', 'SG-C1', 'SG-S4', 'SG-M3', 'SG-X1', 'after']);
    const s4 = line.rows.find((row) => row.label === 'SG-S4')!;
    expect(s4).toMatchObject({ startMs: 16_500, durationMs: 2_600, waitMs: 2_300, leftPct: 55, widthPct: 8.67, waitPct: 88.46 });
    expect(line.rows[0]).toMatchObject({ status: 'phase', startMs: 0, durationMs: 16_000 });
    expect(line.rows.at(-1)).toMatchObject({ status: 'phase', startMs: 29_700, durationMs: 300 });
    expect(line.probes).toEqual([]);
  });

  test('a very short step still gets a visible bar; upgrade probes are marks at their times', () => {
    const report = sampleReport();
    report.steps[0]!.durationMs = 3;
    report.upgradeProbes = [
      { at: '2026-12-07T10:00:18.000Z', ok: true, outcome: 'HTTP/2 418' },
      { at: '2026-12-07T10:00:21.000Z', ok: false, outcome: 'connection reset' },
    ];
    const line = timelineOf(report);
    expect(line.rows.find((row) => row.label === 'SG-C1')!.widthPct).toBe(0.4);
    expect(line.probes).toEqual([
      { atMs: 18_000, leftPct: 60, ok: true, outcome: 'HTTP/2 418' },
      { atMs: 21_000, leftPct: 70, ok: false, outcome: 'connection reset' },
    ]);
    const page = renderHtmlReport(report, options);
    expect(page).toContain('<td class="id">upgrade probes</td><td class="num">-</td><td class="num">2 sent</td><td class="num">1 failed</td>');
    expect(page).toContain('<div class="mark bad" style="left:70%" title="21.0 s: connection reset">');
  });
});

describe('writeHtmlReport', () => {
  test('links a failed step to its diagnostics folder, index.json and README when they are there, relative to the page', () => {
    const dir = makeTemp('igc-html-');
    const bundle = path.join(dir, 'diagnostics', 'SG-M3');
    mkdirSync(bundle, { recursive: true });
    writeFileSync(path.join(bundle, 'index.json'), '{}\n');
    writeFileSync(path.join(bundle, 'README.md'), '# SG-M3\n');
    writeReport(path.join(dir, 'conformance.json'), sampleReport());
    const file = path.join(dir, 'report.html');
    writeHtmlReport(file, sampleReport(), { ...options });
    const page = readFileSync(file, 'utf8');
    expect(page).toContain('Diagnostics: <a href="diagnostics/SG-M3/index.json">index.json</a> · <a href="diagnostics/SG-M3/README.md">README</a> · <a href="diagnostics/SG-M3/">the folder</a>');
    expect(page).toContain('<a href="conformance.json">conformance.json</a>');
    expect(page).not.toContain('conformance.xml');
    expect(statSync(file).size).toBe(Buffer.byteLength(page));
  });

  test("lists the bundle's parts from its index.json: a link for each file written, the reason for each part that was not", () => {
    const dir = makeTemp('igc-html-');
    const bundle = path.join(dir, 'diagnostics', 'SG-M3');
    mkdirSync(bundle, { recursive: true });
    writeFileSync(path.join(bundle, 'config-dump.json'), '{}\n');
    const index = {
      parts: [
        { part: 'config-dump', status: 'collected', file: 'config-dump.json', holds: "the gateway's Envoy /config_dump, redacted", durationMs: 10 },
        { part: 'events', status: 'missing', holds: 'events of istio-system and default', durationMs: 5, reason: 'forbidden: events are not readable with this RBAC' },
      ],
    };
    writeFileSync(path.join(bundle, 'index.json'), JSON.stringify(index));
    writeHtmlReport(path.join(dir, 'report.html'), sampleReport(), { ...options });
    const page = readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(page).toContain('<th>Part</th><th>What it holds</th><th>Collected</th>');
    expect(page).toContain('<td><a href="diagnostics/SG-M3/config-dump.json">config-dump</a></td><td>the gateway&#39;s Envoy /config_dump, redacted</td><td>collected</td>');
    expect(page).toContain('<td>events</td><td>events of istio-system and default</td><td>forbidden: events are not readable with this RBAC</td>');
  });

  test('without a bundle folder the failure says none was written; a bundle of another step is not linked', () => {
    const dir = makeTemp('igc-html-');
    mkdirSync(path.join(dir, 'diagnostics', 'SG-S4'), { recursive: true });
    writeHtmlReport(path.join(dir, 'report.html'), sampleReport(), { ...options });
    const page = readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(page).toContain('No diagnostics bundle was written for this step.');
    expect(page).not.toContain('diagnostics/SG-S4');
  });

  test('refuses key material, in a step or in a repeated run, and writes nothing', () => {
    const dir = makeTemp('igc-html-');
    const armour = ['-----BEGIN', 'PRIVATE', 'KEY-----'].join(' '); // no key armour in the source
    const leaking = sampleReport();
    leaking.steps[2]!.observed = `${armour}\nMIIE`;
    const file = path.join(dir, 'report.html');
    expect(() => writeHtmlReport(file, leaking, { ...options })).toThrow(/private key material/);
    const repeat = summarizeRepeat([{ run: 1, startedAt: leaking.startedAt, durationMs: 1, steps: leaking.steps }]);
    expect(() => writeHtmlReport(file, sampleReport(), { ...options, repeat })).toThrow(/private key material/);
    expect(() => statSync(file)).toThrow(/ENOENT/);
  });
});

describe('the repeat section', () => {
  test('lists each step with its stability, pass rate and percentiles, and opens the failures by run', () => {
    const pass = sampleReport().steps.map((step) => (step.id === 'SG-M3' ? { ...step, status: 'passed' as const } : step));
    const fail = pass.map((step) => (step.id === 'SG-S4' ? { ...step, status: 'failed' as const, expected: 'HTTP/2 418', observed: 'connection refused' } : step));
    const repeat = summarizeRepeat([
      { run: 1, startedAt: '', durationMs: 1, steps: pass },
      { run: 2, startedAt: '', durationMs: 1, steps: fail },
    ]);
    const page = renderHtmlReport(sampleReport(), { ...options, repeat });
    expect(page).toContain('<h2>Repeated runs</h2>');
    expect(page).toMatch(/<tr id="repeat-step-SG-S4" class="failed"><td class="id">SG-S4<\/td><td>[^<]*<\/td><td><span class="status flaky">flaky<\/span><\/td><td class="num">50%<\/td>/);
    expect(page).toContain('<summary>SG-S4 failed in 1 of 2 runs</summary><dl><dt>Run</dt><dd>2</dd><dt>Expected</dt><dd>HTTP/2 418</dd><dt>Observed</dt><dd>connection refused</dd></dl>');
    expect(page).toMatch(/Flaky \(passed in some runs, failed in others\): <a href="#repeat-step-SG-S4">SG-S4<\/a> 50%/);
    expect(page).toContain('1 of 2 runs had a failed step');
    // One row per run, the failed one marked, its bar against the longest run.
    expect(page).toMatch(/<table id="repeat-runs">[\s\S]*<tr class=""><td class="num">1<\/td>[\s\S]*<tr class="failed"><td class="num">2<\/td>/);
    expect(page).toContain('<h2>Timeline of the last run</h2>');
  });
});
