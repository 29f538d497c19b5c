// How the registry knows a catalogue without loading its steps (which load the Kubernetes client):
// flags are checked, and reports placed, in milliseconds.
import fs from 'node:fs';

export interface CatalogueEntry {
  /** Its folder's name under suites/ and under the reports (reports/<id>/). */
  id: string;
  /** The doc's name, as reports show it. */
  name: string;
  /** Its STEPS.md: the step IDs and what each checks. */
  stepsFile: string;
  /** The jest file that runs it (jest's `conformance` project). */
  suiteFile: string;
  /** How its step IDs begin (SG-): what the STEPS.md tables list. */
  stepIdPrefix: string;
}

/** The step IDs of a catalogue's STEPS.md tables, in its order. */
export function documentedStepIds(entry: Pick<CatalogueEntry, 'stepsFile' | 'stepIdPrefix'>): string[] {
  const row = new RegExp(`^\\| (${entry.stepIdPrefix}[A-Za-z0-9-]+) \\|`, 'gm');
  return [...fs.readFileSync(entry.stepsFile, 'utf8').matchAll(row)].map((match) => match[1]!);
}
