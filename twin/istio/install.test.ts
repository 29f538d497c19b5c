// The pieces of the Istio install that need no twin: istioctl's arguments, where the image's
// non-binary files come from, and the Envoy stand-in's launcher.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { writeEnvoyLauncher } from './envoy-stand-in';
import { gatewayOverlay, installArgs } from './install';
import { goModCache, istioSourceFile } from './source';

describe('installIstio pieces', () => {
  test('istioctl install gets the shared overlay, the release hub and tag, and the kubeconfig', () => {
    expect(fs.existsSync(gatewayOverlay)).toBe(true);
    expect(installArgs('/k', 'docker.io/istio', '1.31-dev')).toEqual(['install', '-y', '-f', gatewayOverlay, '--set', 'hub=docker.io/istio', '--set', 'tag=1.31-dev', '--kubeconfig', '/k']);
  });

  test("Istio's source files are found in the Go module cache as go finds them", () => {
    expect(goModCache({ GOMODCACHE: '/m' })).toBe('/m');
    expect(goModCache({ GOPATH: `/a${path.delimiter}/b` })).toBe('/a/pkg/mod');
    expect(goModCache({})).toBe(path.join(os.homedir(), 'go', 'pkg', 'mod'));
    expect(istioSourceFile('tools/x.json', undefined, { GOMODCACHE: '/m' })).toMatch(/^\/m\/istio\.io\/istio@v[^/]+\/tools\/x\.json$/);
  });

  test('the Envoy launcher runs the stand-in from absolute paths, wherever it is bound', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'igc-envoy-launcher-'));
    try {
      const launcher = writeEnvoyLauncher(dir);
      expect(fs.statSync(launcher).mode & 0o777).toBe(0o755);
      const text = fs.readFileSync(launcher, 'utf8');
      expect(text).toContain(`'${path.resolve(__dirname, '../../twin/envoy/main.ts')}'`);
      // Copied elsewhere (as the pod's view binds it at /usr/local/bin/envoy), it still starts.
      const moved = path.join(dir, 'elsewhere-envoy');
      fs.copyFileSync(launcher, moved);
      fs.chmodSync(moved, 0o755);
      expect(execFileSync(moved, ['--version'], { encoding: 'utf8', timeout: 60_000 })).toMatch(/version/i);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
