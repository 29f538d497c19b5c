// Probes as the kubelet runs them: httpGet (2xx/3xx passes), tcpSocket (a connection passes) and
// exec (exit 0 passes), each against the pod's IP from inside the pod's network namespace, every
// periodSeconds after initialDelaySeconds, with timeoutSeconds, and a result that flips only after
// successThreshold passes / failureThreshold failures in a row.
import { execFile } from 'node:child_process';
import type { V1Container, V1Probe } from '@kubernetes/client-node';

/** The probe's timing, with the API's defaults. */
export interface ProbeTiming {
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  successThreshold: number;
  failureThreshold: number;
}

export function probeTiming(probe: V1Probe): ProbeTiming {
  return {
    initialDelayMs: (probe.initialDelaySeconds ?? 0) * 1000,
    periodMs: (probe.periodSeconds ?? 10) * 1000,
    timeoutMs: (probe.timeoutSeconds ?? 1) * 1000,
    successThreshold: probe.successThreshold ?? 1,
    failureThreshold: probe.failureThreshold ?? 3,
  };
}

/** Turns single results into the probe's verdict (the kubelet's thresholds). */
export class ProbeVerdict {
  private passes = 0;
  private failures = 0;

  constructor(
    private readonly timing: Pick<ProbeTiming, 'successThreshold' | 'failureThreshold'>,
    public value: boolean,
  ) {}

  /** Records one result; returns the verdict after it. */
  record(passed: boolean): boolean {
    if (passed) {
      this.failures = 0;
      this.passes += 1;
      if (this.passes >= this.timing.successThreshold) this.value = true;
    } else {
      this.passes = 0;
      this.failures += 1;
      if (this.failures >= this.timing.failureThreshold) this.value = false;
    }
    return this.value;
  }
}

/** What a probe check runs, resolved against the container (named ports, default host). */
export type ProbeAction =
  | { kind: 'http'; url: string; headers: [string, string][] }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'exec'; command: string[] };

export function probeAction(probe: V1Probe, container: V1Container, podIP: string): ProbeAction {
  const port = (value: number | string | undefined): number => {
    if (typeof value === 'number') return value;
    if (value !== undefined && /^\d+$/.test(value)) return Number(value);
    const named = container.ports?.find((p) => p.name === value);
    if (!named) throw new Error(`probe port ${JSON.stringify(value)} is not a port of container ${container.name}`);
    return named.containerPort;
  };
  if (probe.httpGet) {
    const h = probe.httpGet;
    const scheme = (h.scheme ?? 'HTTP').toLowerCase();
    const host = h.host || podIP;
    const pathPart = h.path ? (h.path.startsWith('/') ? h.path : `/${h.path}`) : '/';
    return { kind: 'http', url: `${scheme}://${host}:${port(h.port)}${pathPart}`, headers: (h.httpHeaders ?? []).map((x) => [x.name, x.value]) };
  }
  if (probe.tcpSocket) return { kind: 'tcp', host: probe.tcpSocket.host || podIP, port: port(probe.tcpSocket.port) };
  if (probe.grpc) return { kind: 'tcp', host: podIP, port: probe.grpc.port }; // a connection, not the gRPC health call
  if (probe.exec?.command?.length) return { kind: 'exec', command: probe.exec.command };
  throw new Error(`container ${container.name}: a probe without httpGet, tcpSocket, grpc or exec`);
}

/** Runs a command and resolves with its exit code (null when killed at the timeout). */
function exitCodeOf(command: string, args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs, killSignal: 'SIGKILL', encoding: 'utf8', maxBuffer: 1024 * 1024 }, (error, stdout) => {
      if (!error) return resolve({ code: 0, stdout });
      resolve({ code: typeof error.code === 'number' ? error.code : null, stdout: stdout ?? '' });
    });
  });
}

export interface ProbeRunContext {
  ip: string;
  podNetns: string;
  /** `ip netns exec … bwrap …` prefix of the container's view, for exec probes. */
  execPrefix: string[];
}

/** One check: true when it passed. */
export async function runProbe(action: ProbeAction, timeoutMs: number, ctx: ProbeRunContext): Promise<boolean> {
  const inPod = [ctx.ip, 'netns', 'exec', ctx.podNetns];
  if (action.kind === 'http') {
    const seconds = (timeoutMs / 1000).toFixed(3);
    const headers = action.headers.flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
    const { code, stdout } = await exitCodeOf(
      inPod[0]!,
      [...inPod.slice(1), 'curl', '-s', '-k', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', seconds, ...headers, action.url],
      timeoutMs + 1_000,
    );
    const status = Number(stdout.trim());
    return code === 0 && status >= 200 && status < 400;
  }
  if (action.kind === 'tcp') {
    const { code } = await exitCodeOf(
      inPod[0]!,
      [...inPod.slice(1), 'timeout', String(timeoutMs / 1000), 'bash', '-c', 'exec 3<>"/dev/tcp/$0/$1"', action.host, String(action.port)],
      timeoutMs + 1_000,
    );
    return code === 0;
  }
  const [command, ...args] = [...ctx.execPrefix, ...action.command];
  const { code } = await exitCodeOf(command!, args, timeoutMs);
  return code === 0;
}
