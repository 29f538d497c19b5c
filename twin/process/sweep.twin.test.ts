import { afterEach, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually } from '../../helpers/eventually';
import { run } from './run';
import { requireRoot } from '../node/prerequisites';
import { nodeNames } from '../node/names';
import { isSameProcessAlive } from './identity';
import { stateFileName } from './state-file';
import { runTwinDown, startFakeTwin } from './testdata/fake-twin-runner';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'igc-sweep-'));
  dirs.push(dir);
  return dir;
}

async function leftovers(stateDir: string, pids: number[]): Promise<string[]> {
  const names = nodeNames(stateDir);
  const found: string[] = [];
  if ((await run('ip', ['netns', 'list'])).includes(names.netns)) found.push(`netns ${names.netns}`);
  if ((await run('ip', ['link', 'show'])).includes(names.hostLink)) found.push(`link ${names.hostLink}`);
  for (const pid of pids) if (isSameProcessAlive({ pid })) found.push(`pid ${pid}`);
  return found;
}

describe('twin:down (root)', () => {
  afterEach(async () => {
    for (const dir of dirs.splice(0)) {
      await runTwinDown(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('sweeps a run killed with SIGKILL: processes, the namespace and the host veth', async () => {
    requireRoot('this test');
    const dir = tempDir();
    const { child, info } = await startFakeTwin(dir, ['--node', '--escaped']);
    expect(info.escaped).toBeDefined();
    expect(await leftovers(dir, [...info.pids, info.escaped!])).toHaveLength(2 + 3);

    child.kill('SIGKILL');
    await once(child, 'exit');
    // The supervised children die with their parent; the escaped one, the namespace and the veth stay.
    await eventually(async () => info.pids.filter((pid) => isSameProcessAlive({ pid })), (alive) => alive.length === 0, { budgetMs: 10_000, converge: 1 });
    expect(await leftovers(dir, [info.escaped!])).toEqual([`netns ${info.netns}`, `link ${info.hostLink}`, `pid ${info.escaped}`]);

    // A pod namespace the state file does not list (named after the node, as the pod runner names them).
    const podNetns = `${info.netns}-pod-stray`;
    await run('ip', ['netns', 'add', podNetns]);
    const stray = spawn('ip', ['netns', 'exec', podNetns, 'sleep', '1000'], { detached: true, stdio: 'ignore' });
    stray.unref();

    const down = await runTwinDown(dir);
    expect(down.code).toBe(0);
    expect(down.output).toContain(`network namespace ${info.netns}`);
    expect(down.output).toContain(`network namespace ${podNetns}`);
    expect(await leftovers(dir, [info.escaped!, stray.pid!])).toEqual([]);
    expect(await run('ip', ['netns', 'list'])).not.toContain(podNetns);
    expect(fs.existsSync(path.join(dir, stateFileName))).toBe(false);

    const again = await runTwinDown(dir);
    expect(again.output).toMatch(/nothing to remove/);
  }, 60_000);

  test('asks a running twin to stop, which then cleans up after itself', async () => {
    requireRoot('this test');
    const dir = tempDir();
    const { child, info } = await startFakeTwin(dir, ['--node']);
    const exited = once(child, 'exit');

    const down = await runTwinDown(dir);

    expect(down.code).toBe(0);
    expect(down.output).toMatch(/asking the running twin \(pid \d+\) to stop/);
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(await leftovers(dir, info.pids)).toEqual([]);
  }, 60_000);
});
