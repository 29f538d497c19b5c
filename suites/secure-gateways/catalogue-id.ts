// What names the catalogue without loading its steps (which load the Kubernetes client): its ID
// (its folder under the reports: reports/secure-gateways/diagnostics/…), its name, and its step
// IDs as its STEPS.md lists them, so that flags are checked in milliseconds.
// suites/secure-gateways/seen-failing.test.ts holds STEPS.md and the steps' code to the same IDs.
import fs from 'node:fs';
import path from 'node:path';

export const CATALOGUE_ID = 'secure-gateways';
export const CATALOGUE_NAME = 'Secure Gateways (HTTPS)';
export const STEPS_FILE = path.join(__dirname, 'STEPS.md');

/** The step IDs of STEPS.md's tables, in its order. */
export function documentedStepIds(file = STEPS_FILE): string[] {
  return [...fs.readFileSync(file, 'utf8').matchAll(/^\| (SG-[A-Za-z0-9-]+) \|/gm)].map((match) => match[1]!);
}
