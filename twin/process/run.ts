// Runs a short host command (ip, nft, sysctl) and returns its stdout; a failure carries the
// command line and its stderr, so "ip link add" errors read as what the kernel said.
import { execFile } from 'node:child_process';

export class CommandError extends Error {
  override name = 'CommandError';
  constructor(
    readonly commandLine: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`${commandLine} failed (exit ${String(exitCode)}): ${stderr.trim() || '(no output)'}`);
  }
}

export interface RunOptions {
  /** Kill the command after this many ms (default 30 s): a hung `ip` must not hang the twin. */
  timeoutMs?: number;
  input?: string;
}

export function run(command: string, args: string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { timeout: options.timeoutMs ?? 30_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const code = typeof error.code === 'number' ? error.code : null;
        reject(new CommandError([command, ...args].join(' '), code, stderr || error.message));
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Runs a command and reports whether it succeeded, for checks where failure is an answer. */
export async function succeeds(command: string, args: string[]): Promise<boolean> {
  try {
    await run(command, args);
    return true;
  } catch {
    return false;
  }
}
