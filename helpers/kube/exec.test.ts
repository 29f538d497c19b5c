import { describe, expect, test } from '@jest/globals';
import type { V1Pod } from '@kubernetes/client-node';
import { chooseContainer, commandMissing, exitCodeOf } from './exec';
import { KubeApiError } from './errors';

describe('exec status channel', () => {
  test('Success is 0; NonZeroExitCode carries the code in its ExitCode cause', () => {
    expect(exitCodeOf({ metadata: {}, status: 'Success' } as never)).toBe(0);
    expect(exitCodeOf({ status: 'Failure', reason: 'NonZeroExitCode', message: 'command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3', details: { causes: [{ reason: 'ExitCode', message: '3' }] } })).toBe(3);
  });
  test('a failure without an exit code is no exit code', () => {
    expect(exitCodeOf({ status: 'Failure', reason: 'InternalError', message: 'container not running' })).toBeUndefined();
    expect(exitCodeOf({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: 'x' }] } })).toBeUndefined();
  });
  test('the container: the one named, the default-container annotation, or the only one', () => {
    const pod = (names: string[], annotations?: Record<string, string>): V1Pod => ({ metadata: { name: 'p', namespace: 'n', annotations }, spec: { containers: names.map((name) => ({ name })) } });
    expect(chooseContainer(pod(['istio-proxy']))).toBe('istio-proxy');
    expect(chooseContainer(pod(['a', 'b']), 'b')).toBe('b');
    expect(chooseContainer(pod(['a', 'b'], { 'kubectl.kubernetes.io/default-container': 'b' }))).toBe('b');
    expect(() => chooseContainer(pod(['a', 'b']))).toThrow('pod n/p has 2 containers (a, b): name the one to exec in');
    expect(() => chooseContainer(pod(['a']), 'c')).toThrow('pod n/p has no container "c"; its containers: a');
  });
});

describe('commandMissing', () => {
  const pod = { kind: 'Pod', namespace: 'istio-system', name: 'gw' };
  test('a command that ran and failed is its own outcome, not a missing program', () => {
    expect(commandMissing({ exitCode: 2, stdout: '', stderr: 'ls: cannot access' }, 'ls -al /x')).toBeUndefined();
    expect(commandMissing({ exitCode: 0, stdout: 'x', stderr: '' }, 'ls')).toBeUndefined();
    expect(commandMissing(new KubeApiError('exec in', pod, 403, 'Forbidden', undefined, 'pods "gw" is forbidden: cannot create resource "pods/exec"'), 'ls')).toBeUndefined();
  });
  test('exit 126/127 and the runtime\'s "executable file not found" are', () => {
    expect(commandMissing({ exitCode: 127, stdout: '', stderr: '' }, 'cat /etc/x')).toBe('the gateway container cannot run `cat` (exit 127: not found)');
    expect(commandMissing({ exitCode: 126, stdout: '', stderr: 'permission denied' }, 'ls')).toBe('the gateway container cannot run `ls` (exit 126: not executable; permission denied)');
    const refused = new KubeApiError('exec in', pod, 500, 'InternalError', undefined, 'OCI runtime exec failed: exec: "ls": executable file not found in $PATH: unknown');
    expect(commandMissing(refused, 'ls -al')).toBe('the gateway container cannot run `ls` (the runtime said: OCI runtime exec failed: exec: "ls": executable file not found in $PATH: unknown)');
  });
});
