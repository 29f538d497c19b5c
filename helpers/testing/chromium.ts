// The real browser the self-tests open pages in: Debian's chromium (`npm run preflight -- --for
// selftest` installs it as root), driven by playwright-core, which brings no browser of its own.
// A machine without it fails the test that needs it, with one line saying how to get it.
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { findTool } from '../find-tool';

export const CHROMIUM_MISSING = 'chromium is not installed: the HTML report is checked in a real browser; install it with `apt-get update && apt-get install -y chromium` (or `npm run preflight -- --for selftest` as root)';

export function findChromium(): string | undefined {
  return findTool('chromium') ?? findTool('chromium-browser');
}

/** Headless chromium; --no-sandbox because the self-tests run as root, where its sandbox refuses to start. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error(CHROMIUM_MISSING);
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
}

/** A report page opened as a person opens it, with what it logged as errors and every URL it fetched. */
export interface OpenedPage {
  browser: Browser;
  page: Page;
  consoleErrors: string[];
  requested: string[];
}

/** Opens `file` in headless chromium (1280×900), records console errors and requests, and writes a full-page screenshot. */
export async function openReportPage(file: string, screenshot: string): Promise<OpenedPage> {
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const opened: OpenedPage = { browser, page, consoleErrors: [], requested: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') opened.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => opened.consoleErrors.push(`page error: ${error.message}`));
  page.on('request', (request) => opened.requested.push(request.url()));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  await page.screenshot({ path: screenshot, fullPage: true });
  return opened;
}
