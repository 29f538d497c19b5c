// The openssl command line, for checks that must not trust the generator (tests) and for the
// comparison in scripts/bench-certs.
import { execFile } from 'node:child_process';

export interface OpensslResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `openssl ...args`; a non-zero exit is a result, not an error (callers check it). */
export function runOpenssl(args: string[], options: { cwd?: string } = {}): Promise<OpensslResult> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { cwd: options.cwd, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error); // not started (ENOENT): no openssl
      else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}
