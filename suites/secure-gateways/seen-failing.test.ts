// Every step of the catalogue (its STEPS.md) has been seen failing: either a named twin fault
// breaks it first (flows/rehearse-faults.twin.test.ts proves each entry of FAULTS), or a test
// named here runs the step against a real server broken in its way and sees it fail. A step added
// to STEPS.md without either fails this test.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { FAULTS } from './faults';
import { secureGatewaysCatalogue } from './catalogue';
import { secureGatewaysStepIds } from './entry';

const root = path.resolve(__dirname, '../..');

/** Steps seen failing outside the twin's faults: the test file and words of the test's title. */
const SEEN_FAILING_ELSEWHERE: Record<string, { file: string; title: string }> = {
  'SG-B3': { file: 'suites/secure-gateways/steps/seen-failing.test.ts', title: "fails for a curl not built with LibreSSL (this machine's, run as if on macOS)" },
  'SG-T6': { file: 'suites/secure-gateways/steps/seen-failing.test.ts', title: "fails for a curl not built with LibreSSL (this machine's, run as if on macOS)" },
  'SG-S4-curl': { file: 'suites/secure-gateways/steps/seen-failing.test.ts', title: 'SG-S4-curl fails when the server certificate does not chain' },
  'SG-M3-curl': { file: 'suites/secure-gateways/steps/seen-failing.test.ts', title: 'SG-M3-curl fails when the server answers without asking for a client certificate' },
  'SG-M4-curl': { file: 'suites/secure-gateways/steps/seen-failing.test.ts', title: "SG-M4-curl fails when the server refuses the doc's client certificate" },
  'SG-S6': { file: 'suites/secure-gateways/steps/seen-failing.test.ts', title: 'fails against a gateway that does not speak HTTP/2' },
  'SG-M6': { file: 'suites/secure-gateways/steps/drain.test.ts', title: 'SG-M6 fails: it keeps answering the old connection without a GOAWAY' },
};


describe('every step of the catalogue has been seen failing', () => {
  const documented = secureGatewaysStepIds();
  const brokenByFault = new Set<string>(FAULTS.map((fault) => fault.breaks));

  test('STEPS.md and the catalogue list the same steps, in the same order (flags are checked against STEPS.md)', () => {
    expect(documented.length).toBeGreaterThan(20);
    expect(documented).toEqual(secureGatewaysCatalogue.map((step) => step.id));
  });

  test.each(documented)('%s: a fault breaks it first, or a named test sees it fail', (id) => {
    if (brokenByFault.has(id)) return;
    const elsewhere = SEEN_FAILING_ELSEWHERE[id];
    expect({ id, seenFailing: elsewhere ? 'a named test' : 'nowhere' }).toEqual({ id, seenFailing: 'a named test' });
    // The named test exists with that title, so renaming or deleting it is noticed here.
    const source = fs.readFileSync(path.join(root, elsewhere!.file), 'utf8');
    expect(source).toContain(elsewhere!.title);
  });
});
