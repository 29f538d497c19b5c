import { describe, expect, test } from '@jest/globals';
import { chooseIstiod, istioVersionOf, supportWarning, versionFromImage } from './version';

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

describe('chooseIstiod: two revisions (a canary upgrade), and a revision tag', () => {
  const istiod = (name: string, revision: string | undefined, tag: string) => ({
    metadata: { namespace: 'istio-system', name, labels: { app: 'istiod', ...(revision ? { 'istio.io/rev': revision } : {}) } },
    spec: { template: { metadata: { labels: { app: 'istiod', ...(revision ? { 'istio.io/rev': revision } : { istio: 'pilot' }) } }, spec: { containers: [{ name: 'discovery', image: `docker.io/istio/pilot:${tag}` }] } } },
  });
  // As the istio-discovery chart names them: istiod-<rev> for a revision, and a tag's Service.
  const service = (name: string, selector: Record<string, string>, labels: Record<string, string> = {}) => ({ metadata: { namespace: 'istio-system', name, labels: { app: 'istiod', ...labels } }, spec: { selector } });
  const old = istiod('istiod-1-30-5', '1-30-5', '1.30.5');
  const canary = istiod('istiod-1-31-1', '1-31-1', '1.31.1');
  const services = [
    service('istiod-1-30-5', { app: 'istiod', 'istio.io/rev': '1-30-5' }, { 'istio.io/rev': '1-30-5' }),
    service('istiod-1-31-1', { app: 'istiod', 'istio.io/rev': '1-31-1' }, { 'istio.io/rev': '1-31-1' }),
    service('istiod-revision-tag-prod-stable', { app: 'istiod', 'istio.io/rev': '1-30-5' }, { 'istio.io/rev': '1-30-5', 'istio.io/tag': 'prod-stable' }),
  ];

  test("the gateway's control-plane address wins, whichever istiod is listed first", () => {
    for (const order of [[old, canary], [canary, old]]) {
      const choice = chooseIstiod(order, services, { revision: 'prod-stable', controlPlaneAddress: 'istiod-1-31-1.istio-system.svc:15012' });
      expect(choice).toEqual({ istiod: canary, why: "the gateway's control plane istiod-1-31-1.istio-system.svc:15012 (Service istio-system/istiod-1-31-1)" });
    }
  });

  test("without an address: the istiod of the gateway's revision", () => {
    expect(chooseIstiod([canary, old], services, { revision: '1-30-5' })).toEqual({ istiod: old, why: "the gateway's revision 1-30-5" });
    expect(chooseIstiod([old, canary], services, { revision: '1-31-1' }).istiod).toBe(canary);
  });

  test('a revision tag resolves to the revision it points at', () => {
    expect(chooseIstiod([canary, old], services, { revision: 'prod-stable' })).toEqual({ istiod: old, why: 'the revision tag prod-stable, which points at revision 1-30-5' });
  });

  test('several istiods and none is the gateway\'s: one line, never a guess', () => {
    expect(() => chooseIstiod([old, canary], services, { revision: 'default' })).toThrow(
      'cannot tell which istiod serves the gateway: its revision "default" match none of istio-system/istiod-1-30-5 (revision 1-30-5), istio-system/istiod-1-31-1 (revision 1-31-1), and no revision tag of that name exists',
    );
  });

  test('one istiod serves whatever the gateway says (a single install)', () => {
    const only = istiod('istiod', undefined, '1.31.1');
    expect(chooseIstiod([only], [], { revision: 'default' })).toEqual({ istiod: only, why: "the gateway's revision default" });
    expect(chooseIstiod([only], [], { revision: 'stable' }).why).toBe('the only istiod (the gateway\'s revision stable names none)');
  });
});
