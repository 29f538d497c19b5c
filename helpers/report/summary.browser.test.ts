// The summary across catalogues (reports/report.html) in a real headless Chromium: the page to
// open first. It loads with no console error and fetches nothing but itself, its tables have
// header cells, the failed catalogue and its failed step are visible, and the step's link opens
// the catalogue's own page at that step's open failure.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../testing/chromium';
import { sampleReport } from '../testing/sample-report';
import { tempDirs } from '../testing/temp-dirs';
import { writeRunReports } from './index';

const makeTemp = tempDirs();
const reportDir = makeTemp('igc-summary-browser-');
const catalogue = { id: 'secure-gateways', name: 'Secure Gateways (HTTPS)' };

let browser: Browser | undefined;
let page: Page;
const consoleErrors: string[] = [];
const requested: string[] = [];
let summaryUrl = '';

beforeAll(async () => {
  const [files] = writeRunReports(reportDir, [{ catalogue, report: sampleReport() }]);
  summaryUrl = pathToFileURL(files!.summary.html).href;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
  page.on('request', (request) => requested.push(request.url()));
  await page.goto(summaryUrl, { waitUntil: 'load' });
  await page.screenshot({ path: path.join(reportDir, 'report.png'), fullPage: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe('the summary (reports/report.html) in headless Chromium', () => {
  test('loads with no console error and fetches nothing but the page itself', () => {
    expect(consoleErrors).toEqual([]);
    expect(requested).toEqual([summaryUrl]);
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
