// The Envoy stand-in as the pod runner places it: bound at /usr/local/bin/envoy in the gateway
// pod's view, where twin/envoy/bin/envoy cannot find the repository from its own path. So the twin
// writes a small launcher naming the repository's absolute paths (the host's root is visible,
// read-only, in every pod's view).
import fs from 'node:fs';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '../..');

/**
 * Writes `<dir>/envoy` (0755) and returns its path, for podRunnerPlugin({ standIns: { envoy } }).
 * With `faultsFile` the stand-in reads the twin's active faults there (twin/faults).
 */
export function writeEnvoyLauncher(dir: string, root: string = repoRoot, faultsFile?: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const launcher = path.join(dir, 'envoy');
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const node = path.join(root, 'node_modules/.bin/node');
  const loader = `file://${path.join(root, 'node_modules/tsx/dist/loader.mjs')}`;
  const main = path.join(root, 'twin/envoy/main.ts');
  const faults = faultsFile ? `export TWIN_FAULTS_FILE=${quote(faultsFile)}\n` : '';
  fs.writeFileSync(launcher, `#!/bin/sh\n# The twin's Envoy stand-in (twin/envoy), started by pilot-agent as its Envoy binary.\n${faults}exec ${quote(node)} --import ${quote(loader)} ${quote(main)} "$@"\n`, { mode: 0o755 });
  fs.chmodSync(launcher, 0o755);
  return launcher;
}
