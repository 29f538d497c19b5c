#!/usr/bin/env node
// Runs jest with the flags its ESM interop needs, and checks the Node version first:
// `npm ci` installs Node 24 into node_modules/.bin, which npm scripts put first on PATH.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants } from 'node:os';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 24 || (major === 24 && minor < 9)) {
  console.error(`Node ${process.versions.node} is too old: run this through npm (npm run selftest), which uses the Node 24 that npm ci installed, or install Node >= 24.9.`);
  process.exit(2);
}
// The first argument names the jest projects (lanes), comma-separated; they go last so that
// jest's greedy --selectProjects does not swallow the caller's path patterns.
const [projects, ...jestArgs] = process.argv.slice(2);
const jestBin = createRequire(import.meta.url).resolve('jest/bin/jest');
const nodeOptions = [process.env.NODE_OPTIONS ?? '', '--experimental-vm-modules', '--no-warnings=ExperimentalWarning'].join(' ').trim();
const child = spawn(process.execPath, [jestBin, ...jestArgs, '--selectProjects', ...projects.split(',')], {
  stdio: 'inherit',
  env: { ...process.env, NODE_OPTIONS: nodeOptions },
});
// This wrapper is jest to whoever started it: a SIGTERM sent to it reaches jest (which then stops
// and runs no more steps); Ctrl-C reaches jest from the terminal itself (same process group), so
// the wrapper only waits for it.
for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
process.on('SIGINT', () => undefined);
child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
