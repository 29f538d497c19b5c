// Where bundles go: <report folder>/<catalogue>/diagnostics/<step ID>/index.json and its files.
import path from 'node:path';

export const INDEX_FILE = 'index.json';

/** The folder of a catalogue's bundles (the runner clears it before a run). */
export function diagnosticsRoot(reportDir: string, catalogue: string): string {
  return path.join(reportDir, catalogue, 'diagnostics');
}

export function stepFolder(reportDir: string, catalogue: string, stepId: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(stepId)) throw new RangeError(`a step ID names a folder: ${JSON.stringify(stepId)} is not one`);
  return path.join(diagnosticsRoot(reportDir, catalogue), stepId);
}
