// The pieces of the Istio install that need no twin: istioctl's arguments, where the image's
// non-binary files come from, and the Envoy stand-in's launcher.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { writeEnvoyLauncher } from './envoy-stand-in';
import { gatewayOverlay, installArgs } from './install';
import { istioSourceFile } from './source';

describe('installIstio pieces', () => {
  test('istioctl install gets the shared overlay, the release hub and tag, and the kubeconfig', () => {
    expect(fs.existsSync(gatewayOverlay)).toBe(true);
    expect(installArgs('/k', 'docker.io/istio', '1.31-dev')).toEqual(['install', '-y', '-f', gatewayOverlay, '--set', 'hub=docker.io/istio', '--set', 'tag=1.31-dev', '--kubeconfig', '/k']);
  });

  test("the image's non-binary files are read from the release's build cache folder, not the Go module cache", () => {
    const bootstrap = 'tools/packaging/common/envoy_bootstrap.json';
    expect(istioSourceFile(bootstrap, '1.31-dev', { cacheDir: '/c' })).toBe(`/c/twin/bin/istio@v0.0.0-20260827124520-eed52ebb66ad/src/${bootstrap}`);
    expect(istioSourceFile(bootstrap, '1.31-alpha.b01690e6db7d', { cacheDir: '/c' })).toBe(`/c/twin/bin/istio@v0.0.0-20260423205519-b01690e6db7d/src/${bootstrap}`);
    // Only what twin:build copies can be asked for: anything else would be missing at run time.
    expect(() => istioSourceFile('tools/x.json', '1.31-dev', { cacheDir: '/c' })).toThrow(/ships no source file tools\/x\.json/);
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
