#!/usr/bin/env node
// Runs jest with the flags its ESM interop needs, and checks the Node version first:
// `npm ci` installs Node 24 into node_modules/.bin, which npm scripts put first on PATH.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 24 || (major === 24 && minor < 9)) {
  console.error(`Node ${process.versions.node} is too old: run this through npm (npm run selftest), which uses the Node 24 that npm ci installed, or install Node >= 24.9.`);
  process.exit(2);
}
// The first argument names the jest project; it goes last so that jest's greedy
// --selectProjects does not swallow the caller's path patterns.
const [project, ...jestArgs] = process.argv.slice(2);
const jestBin = createRequire(import.meta.url).resolve('jest/bin/jest');
const nodeOptions = [process.env.NODE_OPTIONS ?? '', '--experimental-vm-modules', '--no-warnings=ExperimentalWarning'].join(' ').trim();
const run = spawnSync(process.execPath, [jestBin, ...jestArgs, '--selectProjects', project], {
  stdio: 'inherit',
  env: { ...process.env, NODE_OPTIONS: nodeOptions },
});
process.exit(run.status ?? 1);
