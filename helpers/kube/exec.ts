// `kubectl exec` with everything captured: stdout, stderr and the exit code. The exit code comes
// from the exec protocol's status channel: a V1Status of Success, or Failure with reason
// NonZeroExitCode and a cause ExitCode whose message is the number.
import { Readable, Writable } from 'node:stream';
import { Exec, type V1Pod } from '@kubernetes/client-node';
import type { KubeClient } from './connect';
import { asPartOf, KubeApiError, oneLine, type ApiStatus } from './errors';
import { read } from './objects';
import type { Target } from './types';
import { websocketConnector } from './websocket';

export interface ExecRequest {
  namespace: string;
  pod: string;
  /** Default: the pod's kubectl.kubernetes.io/default-container, else its only container. */
  container?: string;
  command: string[];
  stdin?: string | Buffer;
  /** Budget for the whole command, in ms (default 60 s). */
  timeoutMs?: number;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** The exit code a status-channel message stands for; undefined when it reports no exit at all. */
export function exitCodeOf(status: ApiStatus): number | undefined {
  if (status.status === 'Success') return 0;
  if (status.reason !== 'NonZeroExitCode') return undefined;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const code = Number(cause?.message);
  return Number.isInteger(code) ? code : undefined;
}

/** The container to exec in: the one asked for, the pod's default, or its only one. */
export function chooseContainer(pod: V1Pod, wanted?: string): string {
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  const where = `pod ${pod.metadata?.namespace}/${pod.metadata?.name}`;
  if (wanted) {
    if (!names.includes(wanted)) throw new Error(`${where} has no container "${wanted}"; its containers: ${names.join(', ')}`);
    return wanted;
  }
  const annotated = pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
  if (annotated && names.includes(annotated)) return annotated;
  if (names.length === 1) return names[0]!;
  throw new Error(`${where} has ${names.length} containers (${names.join(', ')}): name the one to exec in`);
}

function collector(chunks: Buffer[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
}

/** Runs a command in a pod's container and returns its output and exit code. */
export async function exec(kube: KubeClient, request: ExecRequest): Promise<ExecResult> {
  const timeoutMs = request.timeoutMs ?? 60_000;
  const target: Target = { kind: 'Pod', namespace: request.namespace, name: request.pod, detail: request.command.join(' ') };
  const pod = await read<V1Pod & { apiVersion: string; kind: string }>(kube, { apiVersion: 'v1', kind: 'Pod', namespace: request.namespace, name: request.pod }).catch((error: unknown) => {
    throw asPartOf('exec in', target, error);
  });
  let container: string;
  try {
    container = chooseContainer(pod, request.container);
  } catch (error) {
    throw new KubeApiError('exec in', target, undefined, 'BadRequest', undefined, (error as Error).message);
  }
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  let status: ApiStatus | undefined;
  const runner = new Exec(kube.kubeConfig, websocketConnector(kube, 'exec in', target, timeoutMs));
  const stdin = request.stdin === undefined ? null : Readable.from([Buffer.from(request.stdin)]);
  const socket = await runner.exec(request.namespace, request.pod, container, request.command, collector(stdout), collector(stderr), stdin, false, (s) => {
    status = s as ApiStatus;
  });
  await new Promise<void>((resolve, reject) => {
    if (socket.readyState === socket.CLOSED) return resolve();
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new KubeApiError('exec in', target, undefined, 'Timeout', undefined, `the command did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  const result = { stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') };
  if (!status) {
    throw new KubeApiError('exec in', target, undefined, 'InternalError', undefined, 'the connection closed before the exit status arrived');
  }
  const exitCode = exitCodeOf(status);
  if (exitCode === undefined) {
    // The runtime could not run the command at all (no such container state, internal error).
    const detail = oneLine(status.message ?? 'the command could not be run') + (result.stderr ? `; stderr: ${oneLine(result.stderr).slice(0, 300)}` : '');
    throw new KubeApiError('exec in', target, status.code, status.reason ?? 'InternalError', status, detail);
  }
  return { ...result, exitCode };
}

/**
 * Why the container cannot run `command` at all (a distroless image has no ls or cat), or undefined
 * when the outcome is the command's own. Either form of the same fact is recognised: an exit code
 * of 126 (found, not executable) or 127 (not found), the shell's convention that runtimes which
 * start the command through a shell (or relay an exit code for a failed start) report, or the
 * runtime's refusal as an API error ("executable file not found in $PATH", runc's message through
 * containerd, relayed by the kubelet as a Failure status without an exit code).
 */
export function commandMissing(outcome: ExecResult | unknown, command: string): string | undefined {
  const program = command.split(' ')[0];
  if (outcome && typeof outcome === 'object' && 'exitCode' in outcome && typeof (outcome as ExecResult).exitCode === 'number') {
    const { exitCode, stderr } = outcome as ExecResult;
    if (exitCode !== 126 && exitCode !== 127) return undefined;
    const said = oneLine(stderr).slice(0, 200);
    return `the gateway container cannot run \`${program}\` (exit ${exitCode}: ${exitCode === 127 ? 'not found' : 'not executable'}${said ? `; ${said}` : ''})`;
  }
  const message = outcome instanceof Error ? outcome.message : '';
  const refusal = /executable file not found|no such file or directory|not found in \$PATH|exec format error|permission denied/i.exec(message);
  if (!(outcome instanceof KubeApiError) || !refusal) return undefined;
  return `the gateway container cannot run \`${program}\` (the runtime said: ${oneLine(outcome.detail).slice(0, 200)})`;
}
