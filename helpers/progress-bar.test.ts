// The bar through a real pseudo-terminal (util-linux's `script` gives the child a pty), and the
// plain lines through a pipe.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'igc-bar-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
const tsx = path.resolve(__dirname, '../node_modules/.bin/tsx');
const demo = path.join(work, 'demo.ts');
fs.writeFileSync(
  demo,
  `import { progressBar } from ${JSON.stringify(path.resolve(__dirname, 'progress-bar'))};
const bar = progressBar({ title: 'twin:build', total: 3000 });
bar.line('first line');
bar.update(1500, '1/2 etcd v3.6.16');
setTimeout(() => { bar.update(4000, '2/2 kube v1.36.3'); bar.line('last line'); bar.stop(); bar.line('after stop'); }, 1200);
`,
);

describe('progressBar', () => {
  test('on a terminal: the log lines, a bar with percentage, elapsed, estimate and what runs; nothing lost at stop', () => {
    const output = execFileSync('script', ['-q', '-e', '-c', `${tsx} ${demo}`, '/dev/null'], { encoding: 'utf8', timeout: 30_000 });
    expect(output).toMatch(/first line/);
    expect(output).toMatch(/twin:build \[#{12}-{12}\] 50% \| [\d.]+ m?s of about 3\.0 s \| 1\/2 etcd v3\.6\.16/);
    // Never past 99% on an estimate: work that runs long is not "done".
    expect(output).toMatch(/\] 99% \| .* \| 2\/2 kube v1\.36\.3/);
    expect(output).toMatch(/last line/);
    expect(output).toMatch(/after stop/);
  });

  test('through a pipe: the lines alone, no bar and no terminal control codes', () => {
    const child = spawnSync(tsx, [demo], { encoding: 'utf8', timeout: 30_000 });
    expect(child.stderr.split('\n').filter(Boolean)).toEqual(['first line', 'last line', 'after stop']);
    expect(child.stderr + child.stdout).not.toMatch(/\x1b\[/);
  });
});
