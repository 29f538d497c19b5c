// Finds a host tool the way a shell would, plus the sbin folders (npm scripts run with the
// caller's PATH, which often lacks them): the twin's tools, the browser the report tests drive.
import fs from 'node:fs';
import path from 'node:path';

// sbin folders are searched even when PATH lacks them (npm scripts run with the caller's PATH).
const extraDirs = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** The absolute path of a tool on PATH (or in the sbin folders), or undefined. */
export function findTool(name: string, envPath = process.env.PATH ?? ''): string | undefined {
  const dirs = [...envPath.split(path.delimiter).filter(Boolean), ...extraDirs];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
