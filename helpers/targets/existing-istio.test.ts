import { describe, expect, test } from '@jest/globals';
import { istioVersionOf, supportWarning, versionFromImage } from './existing-istio';

describe('versionFromImage', () => {
  test.each([
    ['docker.io/istio/pilot:1.30.4', '1.30.4'],
    ['gcr.io/istio-release/pilot:1.22.3-distroless', '1.22.3'],
    ['docker.io/istio/pilot:1.31-dev', '1.31-dev'],
    ['registry.local:5000/istio/pilot:1.29.6-debug', '1.29.6'],
    ['docker.io/istio/pilot:1.30.4@sha256:' + 'a'.repeat(64), '1.30.4'],
  ])('%s -> %s', (image, version) => {
    expect(versionFromImage(image)).toBe(version);
  });

  test.each(['registry.local:5000/istio/pilot', 'docker.io/istio/pilot@sha256:' + 'a'.repeat(64), 'docker.io/istio/pilot:latest', 'my/pilot:stable'])('%s names no version', (image) => {
    expect(versionFromImage(image)).toBeUndefined();
  });
});

describe('istioVersionOf', () => {
  const istiod = (image: string, labels: Record<string, string> = {}) => ({
    metadata: { namespace: 'istio-system', name: 'istiod', labels },
    spec: { template: { spec: { containers: [{ name: 'discovery', image }] } } },
  });

  test("the image tag wins over the chart's labels (1.0.0 in a dev build's embedded charts)", () => {
    expect(istioVersionOf(istiod('docker.io/istio/pilot:1.31-dev', { 'app.kubernetes.io/version': '1.0.0', 'operator.istio.io/version': '1.31-dev' }))).toEqual({
      version: '1.31-dev',
      source: 'the image tag of istio-system/istiod, docker.io/istio/pilot:1.31-dev',
    });
  });

  test('an image pinned by digest falls back to the labels, istioctl\'s first', () => {
    const digest = 'docker.io/istio/pilot@sha256:' + 'b'.repeat(64);
    expect(istioVersionOf(istiod(digest, { 'operator.istio.io/version': '1.29.6', 'app.kubernetes.io/version': '1.29.0' })).version).toBe('1.29.6');
    expect(istioVersionOf(istiod(digest, { 'helm.sh/chart': 'istiod-1.30.4' }))).toEqual({ version: '1.30.4', source: 'the label helm.sh/chart of istio-system/istiod' });
    expect(istioVersionOf(istiod(digest)).version).toBeUndefined();
  });
});

describe('supportWarning', () => {
  test('inside the range: nothing to say', () => {
    for (const version of ['1.22.0', '1.29.6', '1.30.4', '1.31-dev']) expect(supportWarning(version)).toBeUndefined();
  });
  test('older, newer and unknown are said', () => {
    expect(supportWarning('1.21.6')).toMatch(/older than the supported range \(1\.22 to 1\.31\)/);
    expect(supportWarning('1.32.0')).toMatch(/newer than the newest release this suite was checked with \(1\.31\)/);
    expect(supportWarning('2.0.0')).toMatch(/newer/);
    expect(supportWarning(undefined)).toMatch(/unknown/);
  });
});
