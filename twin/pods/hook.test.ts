import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { hookPaths, publishContainer, publishPod, unpublishContainer, writeHook } from './hook';

// The hook with a trivial "view" (env -i PATH=…), so exec semantics are checked without root.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hook-'));
const paths = hookPaths(dir);
writeHook(paths, { ip: 'ip', node: process.execPath });
publishContainer(paths, 'ns', 'pod', 'main', ['/usr/bin/env', '-i', 'PATH=/usr/bin:/bin', 'POD=pod']);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function hook(...args: string[]) {
  return spawnSync(paths.hook, args, { encoding: 'utf8', input: 'from stdin\n' });
}

describe('the exec hook', () => {
  test('runs the command with the container environment, stdin passed through', () => {
    const run = hook('exec', 'ns', 'pod', 'main', '--', 'sh', '-c', 'echo "$POD"; cat');
    expect([run.status, run.stdout]).toEqual([0, 'pod\nfrom stdin\n']);
  });

  test("passes the command's exit status: false 1, missing 127, not executable 126", () => {
    expect(hook('exec', 'ns', 'pod', 'main', '--', 'false').status).toBe(1);
    expect(hook('exec', 'ns', 'pod', 'main', '--', 'sh', '-c', 'exit 42').status).toBe(42);
    const missing = hook('exec', 'ns', 'pod', 'main', '--', 'no-such-command');
    expect(missing.status).toBe(127);
    expect(missing.stderr).toMatch(/not found/);
    expect(hook('exec', 'ns', 'pod', 'main', '--', '/etc/passwd').status).toBe(126);
  });

  test('a container that is not running is an error naming it', () => {
    const run = hook('exec', 'ns', 'pod', 'other', '--', 'true');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/container "other" is not running in pod ns\/pod/);
    unpublishContainer(paths, 'ns', 'pod', 'main');
    expect(hook('exec', 'ns', 'pod', 'main', '--', 'true').status).toBe(1);
    publishContainer(paths, 'ns', 'pod', 'main', ['/usr/bin/env', '-i', 'PATH=/usr/bin:/bin', 'POD=pod']);
  });

  test('bad usage exits 2', () => {
    expect(hook('exec', 'ns', 'pod').status).toBe(2);
    expect(hook('frobnicate').status).toBe(2);
  });
});

const isRoot = process.getuid?.() === 0;

describe('the port-forward hook', () => {
  (isRoot ? test : test.skip)("connects stdin/stdout to a port on the pod's loopback", async () => {
    const netns = `hooktest-${process.pid}`;
    spawnSync('ip', ['netns', 'add', netns]);
    try {
      spawnSync('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
      publishPod(paths, 'ns', 'pod', netns);
      // An echo server inside the namespace, on 127.0.0.1 there (not the host's).
      const echo = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', "require('net').createServer(s=>s.pipe(s)).listen(7070,'127.0.0.1',()=>console.log('up'))"]);
      await new Promise((resolve) => echo.stdout.once('data', resolve));
      const run = spawnSync(paths.hook, ['port-forward', 'ns', 'pod', '7070'], { encoding: 'utf8', input: 'ping\n', timeout: 10_000 });
      echo.kill();
      expect([run.status, run.stdout]).toEqual([0, 'ping\n']);
      // Nothing listens on the host's 7070: the hook did not connect there.
      await expect(new Promise((resolve, reject) => net.connect(7070, '127.0.0.1').on('connect', resolve).on('error', reject))).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      spawnSync('ip', ['netns', 'delete', netns]);
    }
  });
});
