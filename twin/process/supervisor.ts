// Starts the twin's components as child processes and stops them again. Each child:
// - runs inside a network namespace when asked (`ip netns exec`),
// - dies with the supervising process even when that one is killed hard: `setpriv --pdeathsig
//   KILL` sets the kernel's parent-death signal, which survives the exec into `ip` and the
//   component (neither is setuid),
// - has its own session, so a Ctrl-C in the terminal reaches only the supervisor, which then
//   stops the children in reverse start order (SIGTERM, then SIGKILL after a timeout),
// - writes stdout and stderr to <logDir>/<name>.log,
// - is recorded in the state file while it runs, for `npm run twin:down` after a killed run.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { StateFile } from './state-file';

export interface ProcessSpec {
  /** Unique among the supervisor's processes; names the log file. */
  name: string;
  command: string;
  args?: string[];
  /** Added to the supervisor's environment. */
  env?: Record<string, string>;
  /** The network namespace to run in (`ip netns exec`); the host's when absent. */
  netns?: string;
  cwd?: string;
  /** Time between SIGTERM and SIGKILL when stopping (default: the supervisor's). */
  stopTimeoutMs?: number;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (e.g. ENOENT). */
  error?: Error;
}

export interface SupervisorOptions {
  logDir: string;
  state?: StateFile;
  /** Default 5 s. */
  stopTimeoutMs?: number;
  /** Absolute paths of setpriv and ip (default: found on PATH by spawn). */
  setpriv?: string;
  ip?: string;
  /** The base environment of every child (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Called when a child exits while nobody asked it to stop. */
  onUnexpectedExit?: (process: SupervisedProcess) => void;
}

export class SupervisedProcess {
  readonly exited: Promise<ExitStatus>;
  exitStatus: ExitStatus | undefined;
  /** Aborted when the process exits: pass it to eventually() so a readiness wait ends at once. */
  readonly exitSignal: AbortSignal;
  stopRequested = false;

  constructor(
    readonly spec: ProcessSpec,
    readonly child: ChildProcess,
    readonly logPath: string,
  ) {
    const aborter = new AbortController();
    this.exitSignal = aborter.signal;
    this.exited = new Promise((resolve) => {
      const finish = (status: ExitStatus) => {
        if (this.exitStatus) return;
        this.exitStatus = status;
        aborter.abort(new Error(this.describeExit()));
        resolve(status);
      };
      child.once('exit', (code, signal) => finish({ code, signal }));
      child.once('error', (error) => finish({ code: null, signal: null, error }));
    });
  }

  get name(): string {
    return this.spec.name;
  }

  /** The pid of the component itself (setpriv and `ip netns exec` exec into it). */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.exitStatus === undefined;
  }

  describeExit(): string {
    const status = this.exitStatus;
    if (!status) return `${this.name} is running (pid ${this.pid})`;
    if (status.error) return `${this.name} could not start: ${status.error.message}`;
    if (status.signal) return `${this.name} was killed by ${status.signal}`;
    return `${this.name} exited with code ${String(status.code)}`;
  }

  /** The last lines of the log, for error messages. */
  logTail(lines = 15): string {
    try {
      const text = fs.readFileSync(this.logPath, 'utf8');
      return text.trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

export class Supervisor {
  private readonly started: SupervisedProcess[] = [];
  private readonly stopTimeoutMs: number;

  constructor(private readonly options: SupervisorOptions) {
    this.stopTimeoutMs = options.stopTimeoutMs ?? 5_000;
    fs.mkdirSync(options.logDir, { recursive: true });
  }

  get processes(): readonly SupervisedProcess[] {
    return this.started;
  }

  get(name: string): SupervisedProcess | undefined {
    return this.started.find((p) => p.name === name);
  }

  start(spec: ProcessSpec): SupervisedProcess {
    if (this.started.some((p) => p.name === spec.name && p.running)) {
      throw new Error(`a process named ${spec.name} is already running`);
    }
    const logPath = path.join(this.options.logDir, `${spec.name}.log`);
    const inner = [spec.command, ...(spec.args ?? [])];
    const argv = [
      '--pdeathsig',
      'KILL',
      '--',
      ...(spec.netns ? [this.options.ip ?? 'ip', 'netns', 'exec', spec.netns] : []),
      ...inner,
    ];
    const log = fs.openSync(logPath, 'a', 0o644);
    fs.writeSync(log, `--- ${new Date().toISOString()} start${spec.netns ? ` in ${spec.netns}` : ''}: ${inner.join(' ')}\n`);
    let child: ChildProcess;
    try {
      child = spawn(this.options.setpriv ?? 'setpriv', argv, {
        cwd: spec.cwd,
        env: { ...(this.options.env ?? process.env), ...spec.env },
        stdio: ['ignore', log, log],
        detached: true,
      });
    } finally {
      fs.closeSync(log);
    }
    const supervised = new SupervisedProcess(spec, child, logPath);
    this.started.push(supervised);
    if (child.pid !== undefined) this.options.state?.addProcess(spec.name, child.pid);
    void supervised.exited.then(() => {
      if (child.pid !== undefined) this.options.state?.removeProcess(child.pid);
      if (!supervised.stopRequested) this.options.onUnexpectedExit?.(supervised);
    });
    return supervised;
  }

  /** SIGTERM, then SIGKILL when it has not exited within the stop timeout. */
  async stop(supervised: SupervisedProcess): Promise<ExitStatus> {
    supervised.stopRequested = true;
    if (!supervised.running) return supervised.exitStatus!;
    const timeoutMs = supervised.spec.stopTimeoutMs ?? this.stopTimeoutMs;
    signal(supervised, 'SIGTERM');
    const aborter = new AbortController();
    const inTime = await Promise.race([
      supervised.exited.then(() => true),
      delay(timeoutMs, false, { signal: aborter.signal }).catch(() => false),
    ]);
    aborter.abort();
    if (!inTime) {
      signal(supervised, 'SIGKILL');
      await supervised.exited;
    }
    return supervised.exitStatus!;
  }

  /** Stops every running child, the last started first. */
  async stopAll(): Promise<void> {
    for (const supervised of [...this.started].reverse()) {
      await this.stop(supervised);
    }
  }
}

function signal(supervised: SupervisedProcess, name: NodeJS.Signals): void {
  try {
    supervised.child.kill(name);
  } catch {
    // already gone
  }
}
