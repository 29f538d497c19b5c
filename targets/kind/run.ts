// Runs one tool of the kind target through zx: an argv array (never a shell string), its output
// kept for the caller and, when asked, passed on line by line as it comes (kind and istioctl
// show their own progress). A command that cannot start says so instead of throwing.
import { spawn as nodeSpawn, type SpawnOptions } from 'node:child_process';
import { $, type ProcessPromise } from 'zx';

// zx hands Node's spawn an empty argument list beside its (quoted) command line, which Node 24
// flags with a deprecation warning (DEP0190) on every run; without the empty list it does not.
const spawn = ((command: string, args: readonly string[], options: SpawnOptions) =>
  args.length > 0 ? nodeSpawn(command, args, options) : nodeSpawn(command, options)) as unknown as typeof nodeSpawn;

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Stop the command after this many ms (it then counts as failed, `timedOut` set). */
  timeoutMs?: number;
  /** Each output line (stdout and stderr) as it arrives. */
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

export interface RunResult {
  argv: string[];
  exitCode: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  /** The reason it could not start (e.g. ENOENT), when it could not. */
  startError?: string;
}

/** Runs argv to completion; never throws for a failing command. */
export async function run(argv: string[], options: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const shell = $({
    quiet: true,
    nothrow: true,
    spawn,
    env: options.env ?? process.env,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const child = shell`${argv}`;
  // Our own timer, not zx's timeout(): that one kills through zx's process-tree lookup, which
  // spawns `ps` with shell and arguments (Node's DEP0190 warning on stderr), and a command that
  // exits on SIGTERM with a code of its own (docker: 143) was then not seen as timed out.
  // abort() is Node's spawn signal: SIGTERM to the command (the shell execs a single command).
  let timedOut = false;
  const timer = options.timeoutMs
    ? setTimeout(() => {
        timedOut = true;
        child.abort();
      }, options.timeoutMs)
    : undefined;
  if (options.onLine) forwardLines(child, options.onLine);
  const output = await child.finally(() => clearTimeout(timer));
  const durationMs = Date.now() - started;
  const cause = timedOut ? null : (output.cause as NodeJS.ErrnoException | null);
  return {
    argv,
    exitCode: output.exitCode,
    stdout: output.stdout,
    stderr: output.stderr,
    durationMs,
    timedOut,
    ...(cause ? { startError: cause.code ?? cause.message } : {}),
  };
}

function forwardLines(child: ProcessPromise, onLine: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop()!;
      for (const line of lines) if (line.trim()) onLine(line.replace(/\s+$/, ''));
    });
    stream.on('end', () => {
      if (partial.trim()) onLine(partial.replace(/\s+$/, ''));
    });
  }
}

/** The first non-empty line of a failed command's output, for one-line messages. */
export function firstLine(result: Pick<RunResult, 'stderr' | 'stdout' | 'startError' | 'timedOut'>, timeoutMs?: number): string {
  if (result.startError) return result.startError === 'ENOENT' ? 'not found' : result.startError;
  if (result.timedOut) return `no answer within ${timeoutMs ?? '?'} ms`;
  const text = `${result.stderr}\n${result.stdout}`;
  const line = text.split('\n').map((l) => l.trim()).find(Boolean);
  return line ?? 'no output';
}
