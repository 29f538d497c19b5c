// The HTML report in a real headless Chromium (Debian's chromium through playwright-core), as a
// person opens it from a CI artifact: it loads with no console error and fetches nothing but
// itself, the failed step is visible with its details open, every table has header cells, the
// markup in an observation stays text, and a screenshot is written beside the report.
// Without chromium this fails with one line saying how to install it (it is not skipped).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { openReportPage, type OpenedPage } from '../testing/chromium';
import { HOSTILE_OBSERVATION, sampleReport } from '../testing/sample-report';
import { tempDirs } from '../testing/temp-dirs';
import { writeHtmlReport, writeReport } from './index';
import { summarizeRepeat } from './repeat';

const makeTemp = tempDirs();
const dir = makeTemp('igc-html-browser-');
const reportFile = path.join(dir, 'report.html');
const screenshot = path.join(dir, 'report.png');

let opened: OpenedPage | undefined;
let page: Page;

beforeAll(async () => {
  const report = sampleReport();
  const bundle = path.join(dir, 'diagnostics', 'SG-M3');
  mkdirSync(bundle, { recursive: true });
  writeFileSync(path.join(bundle, 'index.json'), `${JSON.stringify({ step: 'SG-M3', files: [] })}\n`);
  writeFileSync(path.join(bundle, 'README.md'), '# SG-M3\n');
  writeReport(path.join(dir, 'conformance.json'), report);
  // Two runs, the first of which failed SG-S4: the repeat section's table is checked too.
  const flakyRun = report.steps.map((step) => (step.id === 'SG-S4' ? { ...step, status: 'failed' as const, expected: 'HTTP/2 418', observed: 'connection refused' } : step));
  const repeat = summarizeRepeat([
    { run: 1, startedAt: report.startedAt, durationMs: report.durationMs, steps: flakyRun },
    { run: 2, startedAt: report.startedAt, durationMs: report.durationMs, steps: report.steps },
  ]);
  writeHtmlReport(reportFile, report, { catalogue: 'Secure Gateways (HTTPS)', repeat });

  opened = await openReportPage(reportFile, screenshot);
  page = opened.page;
}, 120_000);

afterAll(async () => {
  await opened?.browser.close();
});

describe('report.html in headless Chromium', () => {
  test('loads with no console error and fetches nothing but the page itself', () => {
    expect(opened!.consoleErrors).toEqual([]);
    expect(opened!.requested).toEqual([pathToFileURL(reportFile).href]);
  });

  test('the failed step is visible, its details open, with what was expected and observed', async () => {
    const failure = page.locator('details#step-SG-M3-failure');
    await expect(failure.isVisible()).resolves.toBe(true);
    await expect(failure.getAttribute('open')).resolves.not.toBeNull();
    const observed = failure.locator('dd').nth(1);
    // A closed <details> hides its body: the observation is on screen only when it is open.
    await expect(observed.isVisible()).resolves.toBe(true);
    await expect(observed.textContent()).resolves.toBe(HOSTILE_OBSERVATION);
    await expect(failure.locator('dd').first().textContent()).resolves.toBe('a TLS refusal (handshake_failure or certificate_required)');
    await expect(page.locator('#verdict').textContent()).resolves.toMatch(/^Failed: 3 passed, 1 failed, 1 skipped/);
  });

  test('the markup inside an observation stays text: the page has no script element', async () => {
    await expect(page.locator('script').count()).resolves.toBe(0);
  });

  test('every table has header cells, in its head', async () => {
    const tables = await page.locator('table').count();
    expect(tables).toBe(5); // the run, the steps, the timeline, the repeated runs and their steps
    await expect(page.locator('table:not(:has(th))').count()).resolves.toBe(0);
    await expect(page.locator('table:not(:has(> thead th))').count()).resolves.toBe(0);
  });

  test('a skipped step shows its reason; the timeline draws a bar for each step that ran', async () => {
    await expect(page.locator('#step-SG-M4').textContent()).resolves.toContain('skipped: depends on SG-M3 (failed)');
    await expect(page.locator('#timeline .bar').count()).resolves.toBe(6); // before, 4 steps, after
    const box = await page.locator('#timeline .bar.failed').boundingBox();
    expect(box?.width).toBeGreaterThan(10);
  });

  test("the failed step's diagnostics links lead to the bundle's files", async () => {
    const links = await page.locator('details#step-SG-M3-failure a').evaluateAll((anchors) => anchors.map((anchor) => anchor.getAttribute('href') ?? ''));
    expect(links).toEqual(['diagnostics/SG-M3/index.json', 'diagnostics/SG-M3/README.md', 'diagnostics/SG-M3/']);
    for (const link of links) expect(existsSync(path.join(dir, decodeURIComponent(link)))).toBe(true);
  });

  test('a screenshot of the whole page is written beside the report', () => {
    const png = readFileSync(screenshot);
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    // Width and height from the IHDR chunk: the full page at the viewport's width.
    expect(png.readUInt32BE(16)).toBe(1280);
    expect(png.readUInt32BE(20)).toBeGreaterThan(900);
  });
});
