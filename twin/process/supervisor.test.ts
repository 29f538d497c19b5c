import { afterEach, describe, expect, test } from '@jest/globals';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually } from '../../helpers/eventually';
import { isSameProcessAlive, identify } from './identity';
import { readState, StateFile, stateFileName } from './state-file';
import { Supervisor, type SupervisedProcess } from './supervisor';
import { startFakeTwin } from './testdata/fake-twin-runner';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'igc-supervisor-'));
  dirs.push(dir);
  return dir;
}

async function allGone(pids: number[]): Promise<void> {
  await eventually(async () => pids.filter((pid) => isSameProcessAlive({ pid })), (alive) => alive.length === 0, {
    budgetMs: 10_000,
    converge: 1,
    expectation: 'the children are gone',
  });
}

describe('Supervisor', () => {
  const supervisors: Supervisor[] = [];
  afterEach(async () => {
    for (const s of supervisors.splice(0)) await s.stopAll();
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('children die when the supervising parent is killed with SIGKILL', async () => {
    const dir = tempDir();
    const { child, info } = await startFakeTwin(dir);
    expect(info.pids).toHaveLength(2);
    for (const pid of info.pids) expect(isSameProcessAlive({ pid })).toBe(true);
    expect(readState(path.join(dir, stateFileName))?.processes.map((p) => p.name)).toEqual(['first', 'second']);

    child.kill('SIGKILL');
    await once(child, 'exit');
    await allGone(info.pids);
  }, 30_000);

  test('stops in reverse start order, SIGKILL after the timeout for a child that ignores SIGTERM', async () => {
    const dir = tempDir();
    const state = new StateFile(dir);
    const supervisor = new Supervisor({ logDir: path.join(dir, 'logs'), state, stopTimeoutMs: 300 });
    supervisors.push(supervisor);
    const order: string[] = [];
    const started: SupervisedProcess[] = [];
    const stubborn = `process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)`;
    started.push(supervisor.start({ name: 'a', command: 'sleep', args: ['1000'] }));
    started.push(supervisor.start({ name: 'b', command: process.execPath, args: ['-e', stubborn] }));
    started.push(supervisor.start({ name: 'c', command: 'sleep', args: ['1000'] }));
    for (const p of started) void p.exited.then(() => order.push(p.name));
    // b must have installed its SIGTERM handler before the stop, or SIGTERM would end it.
    await eventually(async () => fs.readFileSync(started[1]!.logPath, 'utf8'), (log) => /^ready$/m.test(log), { budgetMs: 10_000, converge: 1 });
    expect(state.current.processes.map((p) => p.name)).toEqual(['a', 'b', 'c']);

    await supervisor.stopAll();

    expect(order).toEqual(['c', 'b', 'a']);
    expect(started[1]!.exitStatus?.signal).toBe('SIGKILL');
    expect(started[0]!.exitStatus?.signal).toBe('SIGTERM');
    expect(new StateFile(dir).current.processes).toEqual([]);
  }, 30_000);

  test('an unexpected exit is reported with its code and the log', async () => {
    const dir = tempDir();
    const exits: string[] = [];
    const supervisor = new Supervisor({ logDir: dir, onUnexpectedExit: (p) => exits.push(p.describeExit()) });
    supervisors.push(supervisor);
    const p = supervisor.start({ name: 'fails', command: 'sh', args: ['-c', 'echo going down >&2; exit 3'] });
    await p.exited;
    expect(exits).toEqual(['fails exited with code 3']);
    expect(p.exitSignal.aborted).toBe(true);
    expect(p.logTail()).toMatch(/start: sh -c .*\ngoing down$/);
  });

  test('a missing command is an exit, not a crash', async () => {
    const dir = tempDir();
    const supervisor = new Supervisor({ logDir: dir });
    supervisors.push(supervisor);
    const p = supervisor.start({ name: 'nothing', command: '/nonexistent/tool' });
    const status = await p.exited;
    expect(status.code).not.toBe(0);
    expect(p.logTail()).toMatch(/nonexistent/);
  });

  test('identity: a recorded start time that differs means another process', () => {
    const me = identify(process.pid);
    expect(isSameProcessAlive(me)).toBe(true);
    expect(isSameProcessAlive({ pid: process.pid, startTime: '1' })).toBe(false);
  });
});
