// A start that fails half-way, or is aborted, removes everything it made. Stand-in programs play
// the components, so this runs without the built binaries.
import { afterEach, describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually } from '../helpers/eventually';
import { startTwin, type ControlPlaneBinaries } from './index';
import { nodeNames } from './node/names';
import { requireRoot } from './node/prerequisites';
import { isSameProcessAlive } from './process/identity';
import { readState, stateFileName, type RecordedProcess } from './process/state-file';
import { run } from './process/run';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function fakeBinaries(apiserver: string): ControlPlaneBinaries {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'igc-fake-bin-'));
  dirs.push(dir);
  const write = (name: string, body: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    return file;
  };
  const etcd = write('etcd', 'echo "etcd: ready, serving (stand-in)" >&2\nexec sleep 1000');
  const never = write('never', 'echo "should not start" >&2\nexit 3');
  return { etcd, kubeApiserver: write('kube-apiserver', apiserver), kubeControllerManager: never, kubeScheduler: never, kubeProxy: never, kwok: never };
}

async function expectNothingLeft(stateDir: string, processes: RecordedProcess[]): Promise<void> {
  const names = nodeNames(stateDir);
  expect(await run('ip', ['netns', 'list'])).not.toContain(names.netns);
  expect(await run('ip', ['link', 'show'])).not.toContain(names.hostLink);
  expect(processes.filter((p) => isSameProcessAlive(p)).map((p) => p.name)).toEqual([]);
  expect(fs.existsSync(path.join(stateDir, stateFileName))).toBe(false);
}

describe('a start that does not finish (root)', () => {
  test('a component that exits during the start fails it with its log, and nothing is left', async () => {
    requireRoot('this test');
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'igc-fail-'));
    dirs.push(stateDir);
    const binaries = fakeBinaries('echo "Error: unknown flag: --oops" >&2\nexit 1');
    const seen: RecordedProcess[] = [];
    const watcher = setInterval(() => seen.push(...(readState(path.join(stateDir, stateFileName))?.processes ?? [])), 20);
    try {
      await expect(startTwin({ stateDir, binaries })).rejects.toThrow(/kube-apiserver exited with code 1[\s\S]*unknown flag: --oops/);
    } finally {
      clearInterval(watcher);
    }
    expect(seen.map((p) => p.name)).toContain('etcd');
    await expectNothingLeft(stateDir, seen);
  }, 60_000);

  test('an abort during the start stops what was started', async () => {
    requireRoot('this test');
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'igc-abort-'));
    dirs.push(stateDir);
    const binaries = fakeBinaries('exec sleep 1000');
    const aborter = new AbortController();
    const starting = startTwin({ stateDir, binaries, signal: aborter.signal });
    const state = await eventually(
      async () => readState(path.join(stateDir, stateFileName)),
      (s) => (s?.processes.length ?? 0) === 2,
      { budgetMs: 30_000, converge: 1, expectation: 'etcd and kube-apiserver started' },
    );
    aborter.abort(new Error('stopped by the test'));
    await expect(starting).rejects.toThrow('stopped by the test');
    await expectNothingLeft(stateDir, state!.processes);
  }, 60_000);
});
