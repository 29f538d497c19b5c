import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, test } from '@jest/globals';
import { ContainerLog, CriLineSplitter, rotateLog } from './logs';

describe('CriLineSplitter', () => {
  const at = new Date('2026-11-27T10:00:00.123Z');
  test('full lines are F records, a line split across chunks waits for its end, the tail is P', () => {
    const splitter = new CriLineSplitter(() => at);
    expect(splitter.push('stdout', Buffer.from('one\ntw'))).toEqual(['2026-11-27T10:00:00.123Z stdout F one\n']);
    expect(splitter.push('stderr', Buffer.from('err\n'))).toEqual(['2026-11-27T10:00:00.123Z stderr F err\n']);
    expect(splitter.push('stdout', Buffer.from('o\nthree'))).toEqual(['2026-11-27T10:00:00.123Z stdout F two\n']);
    expect(splitter.flush('stdout')).toEqual(['2026-11-27T10:00:00.123Z stdout P three\n']);
    expect(splitter.flush('stdout')).toEqual([]);
  });

  test('a line longer than 16 KiB is split into P records', () => {
    const splitter = new CriLineSplitter(() => at);
    const records = splitter.push('stdout', Buffer.from(`${'x'.repeat(16 * 1024 + 5)}\n`));
    expect(records.map((r) => r.split(' ')[2])).toEqual(['P', 'F']);
    expect(records[1]!.trim().endsWith(' xxxxx')).toBe(true);
  });
});

describe('ContainerLog', () => {
  test("a program's stdout and stderr arrive through the FIFOs as CRI records; rotation keeps the previous run", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crilog-'));
    try {
      const file = path.join(dir, 'c.log');
      const log = new ContainerLog(file, dir, 'c');
      // As container.ts starts a program: a shell opens the FIFOs, then becomes the program.
      const run = spawn('/bin/sh', ['-c', 'o=$1 e=$2; shift 2; exec "$@" >"$o" 2>"$e"', 'sh', log.stdoutFifo, log.stderrFifo, '/bin/sh', '-c', 'echo out; echo err >&2; printf tail'], { stdio: 'ignore' });
      await new Promise((resolve) => run.on('exit', resolve));
      await log.close();
      const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(' ').slice(1).join(' ')).sort();
      expect(lines).toEqual(['stderr F err', 'stdout F out', 'stdout P tail']);
      expect(fs.readdirSync(dir).sort()).toEqual(['c.log']); // FIFOs removed
      rotateLog(file);
      expect(fs.readdirSync(dir)).toEqual(['c.previous.log']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
