// One container of a pod, run as a container runtime and kubelet would: the image's program in
// the pod's network namespace and filesystem view (bwrap, under the twin's supervisor, so it dies
// with the twin), output to the CRI log, probes, and restarts per restartPolicy with the
// kubelet's back-off (10 s doubling to 5 min; the first restart at once). Stopping sends SIGTERM
// to the program itself, then kills the whole sandbox after the grace period.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { V1Container, V1ContainerStateTerminated, V1Probe } from '@kubernetes/client-node';
import type { SupervisedProcess, Supervisor } from '../process/supervisor';
import { ContainerConfigError } from './env';
import { execShim } from './hook';
import { ContainerLog, rotateLog } from './logs';
import { ProbeVerdict, probeAction, probeTiming, runProbe } from './probes';
import type { ContainerView } from './status';
import { envArgs } from './view';

/** What a start needs, recomputed at every start (env follows Secrets and Services). */
export interface LaunchPlan {
  argv: string[];
  env: Record<string, string>;
  /** bwrap arguments of the view (before `--`). */
  viewArgs: string[];
}

export interface ContainerHost {
  /** With an empty base environment: a program's environment is its container's, nothing else. */
  supervisor: Supervisor;
  ip: string;
  bwrap: string;
  podNetns: string;
  podIP: string;
  /** e.g. default/httpbin-5d4f */
  podKey: string;
  uid: string;
  logFile: string;
  /** Folder for FIFOs and the termination-log file. */
  runDir: string;
  restartPolicy: 'Always' | 'OnFailure' | 'Never';
  /** spec.terminationGracePeriodSeconds, for a restart after a failed liveness probe. */
  terminationGraceMs: number;
  backoffMs: number;
  /** Builds the plan; throws ContainerConfigError (or any Error) when the container cannot start. */
  plan(): LaunchPlan;
  /** Fault gateway-not-ready (twin/faults): the readiness reported is false whatever the probe says. */
  readinessFailed?(): boolean;
  /** The exec prefix is published for the hook (and withdrawn with undefined). */
  publish(prefix: string[] | undefined): void;
  changed(): void;
  log(line: string): void;
}

const maxBackoffMs = 300_000;
/** A container that ran this long gets its back-off reset (the kubelet: 2 × max). */
const backoffResetMs = 600_000;

export class ContainerRunner {
  readonly view: ContainerView;
  private process: SupervisedProcess | undefined;
  private stopping = false;
  private readonly stopped: AbortController = new AbortController();
  private probeAborter: AbortController | undefined;
  private runs = 0;
  /** Resolves with the last exit code once the container will not run again. */
  readonly finished: Promise<number>;
  private finish: (code: number) => void = () => {};

  constructor(
    readonly spec: V1Container,
    private readonly host: ContainerHost,
    private readonly kind: 'init' | 'main',
  ) {
    this.view = {
      name: spec.name,
      image: spec.image ?? '',
      state: { waiting: { reason: 'ContainerCreating' } },
      restartCount: 0,
      started: false,
      ready: false,
    };
    this.finished = new Promise((resolve) => (this.finish = resolve));
  }

  /** Shows why the container cannot be created (image, volumes), without starting it. */
  wait(reason: string, message?: string): void {
    this.view.state = { waiting: { reason, ...(message ? { message } : {}) } };
    this.host.changed();
  }

  /** Runs the container (and restarts it) until it is done for good or stop() is called. */
  async run(): Promise<void> {
    let backoff = 0;
    for (;;) {
      if (this.stopping) return;
      const started = Date.now();
      const code = await this.runOnce();
      if (this.stopping) return this.finish(code ?? 137);
      if (code === undefined) {
        // Could not start (config error): retry after the back-off, as the kubelet does.
      } else if (!this.restartWanted(code)) {
        return this.finish(code);
      }
      if (Date.now() - started > backoffResetMs) backoff = 0;
      if (backoff > 0 && this.view.lastTerminated && code !== undefined) {
        this.view.state = {
          waiting: {
            reason: 'CrashLoopBackOff',
            message: `back-off ${Math.round(backoff / 1000)}s restarting failed container=${this.spec.name} pod=${this.host.podKey}(${this.host.uid})`,
          },
        };
        this.host.changed();
      }
      try {
        await delay(backoff, undefined, { signal: this.stopped.signal });
      } catch {
        return this.finish(code ?? 137);
      }
      backoff = backoff === 0 ? this.host.backoffMs : Math.min(backoff * 2, maxBackoffMs);
    }
  }

  private restartWanted(code: number): boolean {
    const policy = this.host.restartPolicy;
    if (this.kind === 'init') return code !== 0 && policy !== 'Never';
    return policy === 'Always' || (policy === 'OnFailure' && code !== 0);
  }

  /** One run; the exit code, or undefined when the program could not be started. */
  private async runOnce(): Promise<number | undefined> {
    let plan: LaunchPlan;
    try {
      plan = this.host.plan();
    } catch (error) {
      const reason = error instanceof ContainerConfigError ? error.reason : 'CreateContainerError';
      this.wait(reason, error instanceof Error ? error.message : String(error));
      return undefined;
    }
    if (this.runs > 0) rotateLog(this.host.logFile);
    this.runs += 1;
    fs.mkdirSync(this.host.runDir, { recursive: true });
    const terminationLog = path.join(this.host.runDir, `${this.spec.name}.termination-log`);
    fs.writeFileSync(terminationLog, '');
    const viewArgs = [...plan.viewArgs, '--bind', terminationLog, this.spec.terminationMessagePath ?? '/dev/termination-log'];
    const output = new ContainerLog(this.host.logFile, this.host.runDir, this.spec.name);
    const startedAt = new Date();
    const id = `${this.host.uid.slice(0, 8)}-${this.spec.name}-${this.runs}`;
    const processName = `pod.${this.host.podKey.replace('/', '.')}.${this.spec.name}`;
    this.process = this.host.supervisor.start({
      name: processName,
      command: '/bin/sh',
      // The shell opens the two FIFOs as stdout/stderr, then becomes bwrap: no process in between.
      args: ['-c', 'o=$1 e=$2; shift 2; exec "$@" >"$o" 2>"$e"', 'sh', output.stdoutFifo, output.stderrFifo, this.host.bwrap, ...viewArgs, '--', ...execShim, ...plan.argv],
      netns: this.host.podNetns,
      // Not on the command line, which the supervisor logs: values may come from Secrets.
      env: plan.env,
    });
    this.host.publish([this.host.ip, 'netns', 'exec', this.host.podNetns, this.host.bwrap, ...viewArgs, ...envArgs(plan.env), '--']);
    this.view.containerID = `twin://${id}`;
    this.view.state = { running: { startedAt } };
    this.view.started = !this.spec.startupProbe;
    this.view.ready = false;
    this.host.changed();
    const probes = this.startProbes([...viewArgs, ...envArgs(plan.env)]);

    const status = await this.process.exited;
    probes.abort();
    this.host.publish(undefined);
    await output.close();
    const code = status.code ?? (status.signal ? 128 + signalNumber(status.signal) : 128);
    let message: string | undefined;
    try {
      message = fs.readFileSync(terminationLog, 'utf8').slice(0, 4096) || undefined;
    } catch {
      // none
    }
    const terminated: V1ContainerStateTerminated = {
      exitCode: code,
      reason: code === 0 ? 'Completed' : 'Error',
      startedAt,
      finishedAt: new Date(),
      containerID: this.view.containerID,
      ...(message ? { message } : {}),
    };
    this.view.state = { terminated };
    this.view.lastTerminated = terminated;
    this.view.ready = false;
    this.view.started = false;
    if (!this.stopping && this.restartWanted(code)) this.view.restartCount += 1;
    this.host.changed();
    this.process = undefined;
    return code;
  }

  private startProbes(viewArgs: string[]): AbortController {
    const aborter = new AbortController();
    this.probeAborter = aborter;
    const execPrefix = [this.host.ip, 'netns', 'exec', this.host.podNetns, this.host.bwrap, ...viewArgs, '--', ...execShim];
    const ctx = { ip: this.host.ip, podNetns: this.host.podNetns, execPrefix };
    const { startupProbe, readinessProbe, livenessProbe } = this.spec;
    const loop = async (probe: V1Probe, verdict: ProbeVerdict, onVerdict: (value: boolean) => boolean | void, initial = true) => {
      const timing = probeTiming(probe);
      const action = probeAction(probe, this.spec, this.host.podIP);
      if (initial) await delay(timing.initialDelayMs, undefined, { signal: aborter.signal });
      for (;;) {
        const passed = await runProbe(action, timing.timeoutMs, ctx);
        if (aborter.signal.aborted) return;
        if (onVerdict(verdict.record(passed)) === true) return;
        await delay(timing.periodMs, undefined, { signal: aborter.signal });
      }
    };
    const afterStartup = () => {
      if (readinessProbe && this.kind === 'main') {
        void loop(readinessProbe, new ProbeVerdict(probeTiming(readinessProbe), false), (ready) => this.setReady(ready && !this.host.readinessFailed?.())).catch(() => undefined);
      } else this.setReady(true);
      if (livenessProbe && this.kind === 'main') {
        void loop(livenessProbe, new ProbeVerdict(probeTiming(livenessProbe), true), (alive) => {
          if (alive) return;
          this.host.log(`${this.host.podKey}/${this.spec.name}: liveness probe failed, restarting`);
          void this.kill(this.host.terminationGraceMs);
          return true;
        }).catch(() => undefined);
      }
    };
    if (startupProbe) {
      void loop(startupProbe, new ProbeVerdict(probeTiming(startupProbe), false), (ok) => {
        if (!ok) return;
        this.view.started = true;
        this.host.changed();
        afterStartup();
        return true;
      }).catch(() => undefined);
    } else afterStartup();
    return aborter;
  }

  private setReady(ready: boolean): void {
    if (this.view.ready === ready || !this.view.state.running) return;
    this.view.ready = ready;
    this.host.changed();
  }

  /** SIGTERM to the program, SIGKILL to the sandbox after graceMs; resolves when it exited. */
  private async kill(graceMs: number): Promise<void> {
    const running = this.process;
    if (!running?.running) return;
    const program = programPid(running.pid);
    if (program !== undefined) {
      try {
        process.kill(program, 'SIGTERM');
      } catch {
        // gone
      }
      const timer = new AbortController();
      const inTime = await Promise.race([running.exited.then(() => true), delay(graceMs, false, { signal: timer.signal }).catch(() => false)]);
      timer.abort();
      if (inTime) return;
    }
    await this.host.supervisor.stop(running);
  }

  /** Stops for good (pod deletion or twin stop). */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.stopped.abort();
    this.probeAborter?.abort();
    await this.kill(graceMs);
    this.finish(137);
  }
}

/** The program's pid: bwrap (the supervised pid) → its pid-namespace init → the program. */
function programPid(bwrapPid: number): number | undefined {
  const children = (pid: number): number[] => {
    try {
      return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  const init = children(bwrapPid)[0];
  if (init === undefined) return undefined;
  return children(init)[0];
}

function signalNumber(signal: NodeJS.Signals): number {
  return os.constants.signals[signal] ?? 0;
}
