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

export function runEntryPoint(script: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<EntryPointRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', script, ...args],
      { cwd: repo, env: options.env ?? process.env, encoding: 'utf8', timeout: options.timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr, ms: Date.now() - started }),
    );
  });
}
