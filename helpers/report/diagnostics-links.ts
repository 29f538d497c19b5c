// Where a failed step's diagnostics bundle lives beside the reports
// (`<report dir>/<catalogue>/diagnostics/<step id>/`, with an index.json and a README), read when
// the HTML report is written: a step gets links only to what is there, as links relative to the
// report so the folder can be moved or downloaded as a CI artifact whole.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

/** Links relative to the HTML report's folder. */
export interface DiagnosticsLinks {
  folder: string;
  index?: string;
  readme?: string;
}

const README_NAMES = ['README.md', 'README.txt', 'README'];

export function diagnosticsFolder(reportDir: string, catalogueId: string, stepId: string): string {
  return path.join(reportDir, catalogueId, 'diagnostics', stepId);
}

/** A relative path as a URL path: each segment percent-encoded, `/` between them. */
function href(relative: string): string {
  return relative.split(path.sep).map(encodeURIComponent).join('/');
}

/** The links of each step that has a diagnostics folder now. */
export function findDiagnostics(reportDir: string, catalogueId: string, stepIds: readonly string[]): Record<string, DiagnosticsLinks> {
  const found: Record<string, DiagnosticsLinks> = {};
  for (const id of stepIds) {
    const folder = diagnosticsFolder(reportDir, catalogueId, id);
    if (!isFolder(folder)) continue;
    const relative = (name?: string) => href(path.relative(reportDir, name ? path.join(folder, name) : folder));
    const readme = README_NAMES.find((name) => existsSync(path.join(folder, name)));
    found[id] = {
      folder: `${relative()}/`,
      ...(existsSync(path.join(folder, 'index.json')) ? { index: relative('index.json') } : {}),
      ...(readme ? { readme: relative(readme) } : {}),
    };
  }
  return found;
}

function isFolder(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}
