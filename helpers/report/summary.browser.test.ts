// The summary across catalogues (reports/report.html) in a real headless Chromium: the page to
// open first. It loads with no console error and fetches nothing but itself, its tables have
// header cells, the failed catalogue and its failed step are visible, and the step's link opens
// the catalogue's own page at that step's open failure.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { openReportPage, type OpenedPage } from '../testing/chromium';
import { sampleReport } from '../testing/sample-report';
import { tempDirs } from '../testing/temp-dirs';
import { writeRunReports } from './index';

const makeTemp = tempDirs();
const reportDir = makeTemp('igc-summary-browser-');
const catalogue = { id: 'secure-gateways', name: 'Secure Gateways (HTTPS)' };

let opened: OpenedPage | undefined;
let page: Page;
let summaryUrl = '';

beforeAll(async () => {
  const written = writeRunReports(reportDir, [{ catalogue, report: sampleReport() }]);
  summaryUrl = pathToFileURL(written.summary.html).href;
  opened = await openReportPage(written.summary.html, path.join(reportDir, 'report.png'));
  page = opened.page;
}, 120_000);

afterAll(async () => {
  await opened?.browser.close();
});

describe('the summary (reports/report.html) in headless Chromium', () => {
  test('loads with no console error and fetches nothing but the page itself', () => {
    expect(opened!.consoleErrors).toEqual([]);
    expect(opened!.requested).toEqual([summaryUrl]);
  });

  test('every table has header cells, in its head', async () => {
    await expect(page.locator('table').count()).resolves.toBe(2); // the catalogues, the failed steps
    await expect(page.locator('table:not(:has(> thead th))').count()).resolves.toBe(0);
  });

  test('the failed catalogue shows its counts, and its failed step what was observed', async () => {
    await expect(page.locator('h1').textContent()).resolves.toBe('Istio ingress gateway conformance: failed');
    const row = page.locator('tr.failed', { hasText: 'Secure Gateways (HTTPS)' });
    await expect(row.isVisible()).resolves.toBe(true);
    await expect(row.locator('td.num').allTextContents()).resolves.toEqual(['3', '1', '1', expect.any(String)]);
    const step = page.locator('tr.failed', { hasText: 'SG-M3' });
    await expect(step.isVisible()).resolves.toBe(true);
    await expect(step.textContent()).resolves.toContain('kept the route');
  });

  test("the failed step's link opens the catalogue's page at that step's open failure", async () => {
    await page.locator('a', { hasText: 'SG-M3' }).click();
    await page.waitForLoadState('load');
    expect(page.url()).toBe(`${pathToFileURL(path.join(reportDir, 'secure-gateways', 'report.html')).href}#step-SG-M3-failure`);
    const failure = page.locator('details#step-SG-M3-failure');
    await expect(failure.isVisible()).resolves.toBe(true);
    await expect(failure.getAttribute('open')).resolves.not.toBeNull();
    await page.goBack();
  });
});
