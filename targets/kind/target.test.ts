import { describe, expect, test } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../helpers/config';
import { checkDocker, type Check } from './prerequisites';
import { checkTwinHost, chooseTarget, type TargetChecks } from './target';

const dockerUp: Check = { ok: true, detail: 'Docker 28.2.2' };
const dockerDown: Check = { ok: false, reason: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' };
const twinOk: Check = { ok: true, detail: 'Linux, root and Go are here' };
const twinNo: Check = { ok: false, reason: 'the twin needs root, Go on PATH' };

function checks(docker: Check, twin: Check, calls: string[] = []): TargetChecks {
  return {
    docker: async () => (calls.push('docker'), docker),
    twin: async () => (calls.push('twin'), twin),
  };
}

describe('chooseTarget', () => {
  test('auto with a Docker daemon: kind, and the first line says why', async () => {
    const decision = await chooseTarget({ TARGET: 'auto' }, checks(dockerUp, twinOk));
    expect(decision).toEqual({
      target: 'kind',
      why: 'TARGET is auto and a Docker daemon answers: Docker 28.2.2',
      line: 'target: kind (TARGET is auto and a Docker daemon answers: Docker 28.2.2)',
    });
  });

  test('auto without Docker: the twin, with docker\'s reason in the first line', async () => {
    const decision = await chooseTarget({ TARGET: 'auto' }, checks(dockerDown, twinOk));
    expect(decision.target).toBe('twin');
    expect(decision.line).toBe(
      'target: twin (TARGET is auto and no Docker daemon answers (Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?); the twin runs on this machine)',
    );
  });

  test('auto where neither runs: one line naming both misses and TARGET=existing', async () => {
    const error = await chooseTarget({ TARGET: 'auto' }, checks(dockerDown, twinNo)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      'no target can run here: no Docker daemon answers (Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?), ' +
        'and the twin needs root, Go on PATH. Start Docker for TARGET=kind, or use TARGET=existing with a kubeconfig of a test cluster',
    );
  });

  test('never picks the current kubeconfig context by itself: existing only when asked, without looking at Docker', async () => {
    const calls: string[] = [];
    for (const docker of [dockerUp, dockerDown]) {
      expect((await chooseTarget({ TARGET: 'auto' }, checks(docker, twinOk))).target).not.toBe('existing');
    }
    const decision = await chooseTarget({ TARGET: 'existing', KUBECONFIG: '/tmp/test.kubeconfig' }, checks(dockerUp, twinOk, calls));
    expect(decision.line).toBe('target: existing (TARGET=existing: the current context of KUBECONFIG=/tmp/test.kubeconfig)');
    expect(calls).toEqual([]);
  });

  test('TARGET=kind without Docker: the prerequisite line, not a fallback to the twin', async () => {
    const calls: string[] = [];
    await expect(chooseTarget({ TARGET: 'kind' }, checks(dockerDown, twinOk, calls))).rejects.toThrow(
      /^TARGET=kind needs a Docker daemon that answers: Cannot connect.*running\? Instead, use TARGET=existing with a kubeconfig of a test cluster, or TARGET=twin/,
    );
    expect(calls).toEqual(['docker']);
  });

  test('TARGET=twin where it cannot run: one line with what is missing and the other targets', async () => {
    await expect(chooseTarget({ TARGET: 'twin' }, checks(dockerUp, twinNo))).rejects.toThrow(
      'TARGET=twin cannot run here: the twin needs root, Go on PATH. Instead, use TARGET=kind where a Docker daemon runs, or TARGET=existing with a kubeconfig of a test cluster',
    );
    expect((await chooseTarget({ TARGET: 'twin' }, checks(dockerUp, twinOk))).line).toBe('target: twin (TARGET=twin)');
  });

  test('TARGET=kind with the real docker CLI and no daemon fails within seconds', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'no-docker-'));
    const started = Date.now();
    try {
      const real: TargetChecks = { docker: () => checkDocker(5_000, { ...process.env, DOCKER_HOST: `unix://${dir}/docker.sock` }), twin: async () => twinOk };
      await expect(chooseTarget({ TARGET: 'kind' }, real)).rejects.toThrow(/^TARGET=kind needs a Docker daemon that answers: .* Instead, use TARGET=existing/);
      expect(Date.now() - started).toBeLessThan(6_000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('checkTwinHost', () => {
  const go = async () => '/usr/local/go/bin/go';
  const noGo = async () => null;

  test('needs Linux, root and Go, and names each that is missing', async () => {
    expect(await checkTwinHost('linux', 0, go)).toEqual({ ok: true, detail: 'Linux, root and Go are here' });
    expect(await checkTwinHost('linux', 1000, go)).toEqual({ ok: false, reason: 'the twin needs root' });
    expect(await checkTwinHost('darwin', 501, noGo)).toEqual({ ok: false, reason: 'the twin needs Linux (this is darwin), root, Go on PATH' });
  });
});
