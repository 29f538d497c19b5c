// The real browser the self-tests open pages in: Debian's chromium (`npm run preflight -- --for
// selftest` installs it as root), driven by playwright-core, which brings no browser of its own.
// A machine without it fails the test that needs it, with one line saying how to get it.
import { chromium, type Browser } from 'playwright-core';
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
