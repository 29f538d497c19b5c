import { describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { eventually } from '../../helpers/eventually';
import { ancestors, parentOf } from './ancestry';
import { isSameProcessAlive } from './identity';

describe('ancestry', () => {
  test('lists the nearest ancestors, parent first', () => {
    const list = ancestors(process.pid, 2);
    expect(list[0]!.pid).toBe(process.ppid);
    if (list[1]) expect(list[1].pid).toBe(parentOf(process.ppid));
  });

  test('a watcher notices when its parent is killed', async () => {
    // sh (the parent) runs node (the watcher) in the background and waits; killing sh orphans node.
    const script = path.join(__dirname, 'testdata', 'ancestor-watcher.ts');
    const shell = spawn('sh', ['-c', `"$0" --import tsx "$1" & wait`, process.execPath, script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = readline.createInterface({ input: shell.stdout! });
    const seen: string[] = [];
    lines.on('line', (line) => seen.push(line));
    try {
      await eventually(async () => seen, (s) => s.some((line) => line.startsWith('watching')), { budgetMs: 10_000, converge: 1, expectation: 'the watcher to start' });
      shell.kill('SIGKILL');
      await eventually(async () => seen, (s) => s.some((line) => line.startsWith('gone')), { budgetMs: 5_000, converge: 1, expectation: 'the watcher to see its parent gone' });
      expect(seen).toContain(`gone ${shell.pid}`);
    } finally {
      // The watcher is an orphan now; do not leave it running if it missed its parent.
      const watcherPid = Number(seen.find((line) => line.startsWith('watching'))?.split(' ')[1]);
      if (watcherPid > 0 && isSameProcessAlive({ pid: watcherPid })) process.kill(watcherPid, 'SIGKILL');
      shell.kill('SIGKILL');
    }
  }, 20_000);
});
