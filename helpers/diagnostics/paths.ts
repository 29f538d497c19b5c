// Where bundles go: <catalogue's report folder>/diagnostics/<step ID>/index.json and its files
// (reports/secure-gateways/diagnostics/SG-S4/).
import path from 'node:path';

export const INDEX_FILE = 'index.json';

/** The folder of a catalogue's bundles (the runner clears it before a run). */
export function diagnosticsRoot(catalogueDir: string): string {
  return path.join(catalogueDir, 'diagnostics');
}

export function stepFolder(catalogueDir: string, stepId: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(stepId)) throw new RangeError(`a step ID names a folder: ${JSON.stringify(stepId)} is not one`);
  return path.join(diagnosticsRoot(catalogueDir), stepId);
}
