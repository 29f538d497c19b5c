// Writes one diagnostics file only after the key-material scan has found nothing in the exact
// bytes that would be written; a file that still matches is not written at all.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KeyScanner } from './key-scan';

export class KeyMaterialFound extends Error {
  override name = 'KeyMaterialFound';
  constructor(
    readonly file: string,
    readonly findings: string[],
  ) {
    super(`${path.basename(file)} was not written: after redaction it still held ${findings.join('; ')}`);
  }
}

/** Writes `content` to `file` unless the scan finds key material in it; returns the bytes written. */
export function writeScanned(file: string, content: string, scanner: KeyScanner): number {
  const bytes = Buffer.from(content, 'utf8');
  const findings = scanner.findings(bytes);
  if (findings.length > 0) throw new KeyMaterialFound(file, findings);
  writeFileSync(file, bytes);
  return bytes.length;
}
