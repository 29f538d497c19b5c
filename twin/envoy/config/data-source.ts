// envoy.config.core.v3.DataSource: inline bytes or string (printed as "<inline>"), a file, or an
// environment variable.
import fs from 'node:fs';
import type { JsonObject } from '../proto';

export const INLINE_PATH = '<inline>';

export interface DataSourceContent {
  data: Buffer;
  /** "<inline>", or the file name, as /certs prints it. */
  path: string;
}

export function readDataSource(source: JsonObject | undefined): DataSourceContent | null {
  if (!source) return null;
  if (typeof source.inline_bytes === 'string') return { data: Buffer.from(source.inline_bytes, 'base64'), path: INLINE_PATH };
  if (typeof source.inline_string === 'string') return { data: Buffer.from(source.inline_string), path: INLINE_PATH };
  if (typeof source.filename === 'string') return { data: fs.readFileSync(source.filename), path: source.filename };
  if (typeof source.environment_variable === 'string') {
    const value = process.env[source.environment_variable];
    if (value === undefined) throw new Error(`Environment variable doesn't exist: ${source.environment_variable}`);
    return { data: Buffer.from(value), path: INLINE_PATH };
  }
  return null;
}
