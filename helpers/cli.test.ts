import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const main = path.join(__dirname, 'testdata', 'pipe-closing-main.ts');

describe('runMain', () => {
  // `npm test | head -1`: the reader leaves after one line, the entry point must still finish.
  test('a closed output pipe does not end the run before its cleanup', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
    const marker = path.join(dir, 'marker');
    const result = spawnSync('sh', ['-c', `"${process.execPath}" --import tsx "${main}" "${marker}" 2>&1 | head -n 1`], { encoding: 'utf8', timeout: 30_000 });
    expect(result.stdout).toMatch(/^line 0 /);
    expect(fs.existsSync(marker)).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
