// Where a failed step's diagnostics bundle lives beside its catalogue's report
// (`<catalogue's report folder>/diagnostics/<step id>/`, with an index.json and a README), read when
// the HTML report is written: a step gets links only to what is there, as links relative to the
// report so the folder can be moved or downloaded as a CI artifact whole.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** One part of a bundle, as its index.json lists it: a link when the file was written, else why not. */
export interface DiagnosticsPart {
  part: string;
  holds: string;
  href?: string;
  reason?: string;
}

/** Links relative to the HTML report's folder. */
export interface DiagnosticsLinks {
  folder: string;
  index?: string;
  readme?: string;
  /** The bundle's parts, from its index.json (empty when there is none or it cannot be read). */
  parts: DiagnosticsPart[];
}

const README_NAMES = ['README.md', 'README.txt', 'README'];

export function diagnosticsFolder(catalogueDir: string, stepId: string): string {
  return path.join(catalogueDir, 'diagnostics', stepId);
}

/** A relative path as a URL path: each segment percent-encoded, `/` between them. */
function href(relative: string): string {
  return relative.split(path.sep).map(encodeURIComponent).join('/');
}

/** The links of each step that has a diagnostics folder now. */
export function findDiagnostics(catalogueDir: string, stepIds: readonly string[]): Record<string, DiagnosticsLinks> {
  const found: Record<string, DiagnosticsLinks> = {};
  for (const id of stepIds) {
    const folder = diagnosticsFolder(catalogueDir, id);
    if (!isFolder(folder)) continue;
    const relative = (name?: string) => href(path.relative(catalogueDir, name ? path.join(folder, name) : folder));
    const readme = README_NAMES.find((name) => existsSync(path.join(folder, name)));
    found[id] = {
      folder: `${relative()}/`,
      ...(existsSync(path.join(folder, 'index.json')) ? { index: relative('index.json') } : {}),
      ...(readme ? { readme: relative(readme) } : {}),
      parts: partsOf(folder, relative),
    };
  }
  return found;
}

/** The parts index.json lists; a file is linked only if it is there. */
function partsOf(folder: string, relative: (name?: string) => string): DiagnosticsPart[] {
  let index: { parts?: Array<{ part?: unknown; holds?: unknown; file?: unknown; reason?: unknown }> };
  try {
    index = JSON.parse(readFileSync(path.join(folder, 'index.json'), 'utf8')) as typeof index;
  } catch {
    return [];
  }
  return (index.parts ?? []).map((entry) => {
    const file = typeof entry.file === 'string' && !entry.file.includes('/') && existsSync(path.join(folder, entry.file)) ? entry.file : undefined;
    return {
      part: String(entry.part ?? ''),
      holds: String(entry.holds ?? ''),
      ...(file ? { href: relative(file) } : {}),
      ...(typeof entry.reason === 'string' ? { reason: entry.reason } : {}),
    };
  });
}

function isFolder(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}
