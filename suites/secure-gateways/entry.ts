// The Secure Gateways (HTTPS) catalogue's registry entry: its ID (its folder here and under the
// reports: reports/secure-gateways/…), its name, its STEPS.md and the jest file that runs it.
// suites/secure-gateways/seen-failing.test.ts holds STEPS.md and the steps' code to the same IDs.
import path from 'node:path';
import { documentedStepIds, type CatalogueEntry } from '../runtime/catalogue-entry';

export const secureGateways: CatalogueEntry = {
  id: 'secure-gateways',
  name: 'Secure Gateways (HTTPS)',
  stepsFile: path.join(__dirname, 'STEPS.md'),
  suiteFile: path.join(__dirname, '..', 'secure-gateways.test.ts'),
  stepIdPrefix: 'SG-',
};

/** The step IDs of STEPS.md's tables, in its order. */
export function secureGatewaysStepIds(): string[] {
  return documentedStepIds(secureGateways);
}
