// Runs a scripts/ entry point as a separate process, the way `npm run` starts it (node --import tsx),
// and collects its exit code, output and time. For the tests of the entry points.
import { execFile } from 'node:child_process';
import path from 'node:path';

export interface EntryPointRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

const repo = path.resolve(__dirname, '../..');

/**
 * `initCwd`: the folder the person ran npm in (INIT_CWD, which relative paths are read from);
 * default the package's folder, as `npm run` from the checkout sets it.
 */
export function runEntryPoint(script: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; initCwd?: string } = {}): Promise<EntryPointRun> {
  const started = Date.now();
  const env = { ...(options.env ?? process.env), INIT_CWD: options.initCwd ?? repo };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', script, ...args],
      { cwd: repo, env, encoding: 'utf8', timeout: options.timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr, ms: Date.now() - started }),
    );
  });
}
