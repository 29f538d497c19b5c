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
  /**
   * Every object its steps may create, by name, under any of its profiles: what `npm run cleanup`
   * looks for, and what the shipped RBAC (fixtures/rbac) must grant by name.
   */
  createdObjects(scope: ObjectScope): CreatedObject[];
}

/** Where a run puts a catalogue's objects: the gateway's namespace (its secrets) and the app's. */
export interface ObjectScope {
  gatewayNamespace: string;
  appNamespace: string;
}

/** An object a catalogue creates; the API version of a CRD's kind is found on the cluster. */
export interface CreatedObject {
  /** '' for the core group. */
  apiGroup: string;
  kind: string;
  namespace: string;
  name: string;
}

/** The step IDs of a catalogue's STEPS.md tables, in its order. */
export function documentedStepIds(entry: Pick<CatalogueEntry, 'stepsFile' | 'stepIdPrefix'>): string[] {
  const row = new RegExp(`^\\| (${entry.stepIdPrefix}[A-Za-z0-9-]+) \\|`, 'gm');
  return [...fs.readFileSync(entry.stepsFile, 'utf8').matchAll(row)].map((match) => match[1]!);
}
