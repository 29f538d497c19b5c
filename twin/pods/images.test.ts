import { describe, expect, test } from '@jest/globals';
import { parseImageRef } from './image-ref';
import { containerArgv, findImageProgram, neededSources, unknownImageMessage } from './images';

describe('parseImageRef', () => {
  test.each([
    ['busybox', 'docker.io', 'busybox', undefined],
    ['docker.io/library/busybox:1.36', 'docker.io', 'busybox', '1.36'],
    ['index.docker.io/mccutchen/go-httpbin:v2.15.0', 'docker.io', 'mccutchen/go-httpbin', 'v2.15.0'],
    ['gcr.io/istio-release/pilot:1.28.0-distroless', 'gcr.io', 'istio-release/pilot', '1.28.0-distroless'],
    ['localhost:5000/app@sha256:abc', 'localhost:5000', 'app', undefined],
  ])('%s', (text, registry, path, tag) => {
    const ref = parseImageRef(text);
    expect([ref.registry, ref.path, ref.tag]).toEqual([registry, path, tag]);
  });
});

describe('the image table', () => {
  test.each([
    ['mccutchen/go-httpbin:v2.15.0', 'go-httpbin'],
    ['docker.io/mccutchen/go-httpbin', 'go-httpbin'],
    ['docker.io/kong/httpbin:0.1.0', 'Python httpbin (the old gunicorn samples)'],
    ['kennethreitz/httpbin', 'Python httpbin (the old gunicorn samples)'],
    ['busybox:1.36', 'host commands (busybox-like)'],
    ['docker.io/library/debian:12', 'host commands (busybox-like)'],
    ['ubuntu', 'host commands (busybox-like)'],
    ['alpine:3', 'host commands (busybox-like)'],
    ['curlimages/curl:8.10.1', 'host curl'],
    ['registry.k8s.io/coredns/coredns:v1.14.7', 'coredns'],
    ['docker.io/istio/pilot:1.31-dev', 'pilot-discovery'],
    ['gcr.io/istio-release/proxyv2:1.28.0', 'pilot-agent with the Envoy stand-in'],
  ])('%s runs %s', (image, program) => {
    expect(findImageProgram(image)?.name).toBe(program);
  });

  test('an unknown image has no program, and the message says what is known', () => {
    expect(findImageProgram('nginx:1.27')).toBeUndefined();
    expect(findImageProgram('example.com/istio/pilotx')).toBeUndefined();
    expect(unknownImageMessage('nginx:1.27')).toMatch(/^Failed to pull image "nginx:1.27": .*mccutchen\/go-httpbin/);
  });

  test('command replaces ENTRYPOINT, args replace CMD', () => {
    const busybox = findImageProgram('busybox')!;
    expect(containerArgv(busybox, {})).toEqual(['sh']);
    expect(containerArgv(busybox, { command: ['sleep', '3600'] })).toEqual(['sleep', '3600']);
    expect(containerArgv(busybox, { command: ['sh', '-c'], args: ['echo hi'] })).toEqual(['sh', '-c', 'echo hi']);
    const curl = findImageProgram('curlimages/curl')!;
    expect(containerArgv(curl, { args: ['-s', 'http://x'] })).toEqual(['curl', '-s', 'http://x']);
    const httpbin = findImageProgram('mccutchen/go-httpbin')!;
    expect(containerArgv(httpbin, {})).toEqual(['/usr/local/bin/go-httpbin']);
    expect(containerArgv(httpbin, { args: ['-port', '9000'] })).toEqual(['/usr/local/bin/go-httpbin', '-port', '9000']);
    expect(containerArgv(httpbin, { command: ['/bin/go-httpbin', '-port', '80'] })).toEqual(['/usr/local/bin/go-httpbin', '-port', '80']);
  });

  test('the gunicorn samples listen where gunicorn was told to (80 by default)', () => {
    const kong = findImageProgram('docker.io/kong/httpbin')!;
    const python = ['/usr/bin/python3', '-m', 'httpbin.core', '--host', '0.0.0.0', '--port'];
    expect(containerArgv(kong, {})).toEqual([...python, '80']);
    expect(containerArgv(kong, { command: ['gunicorn', '-b', '[::]:8000', 'httpbin:app'] })).toEqual([...python, '8000']);
  });

  test('Istio images need the built binaries and the Envoy stand-in', () => {
    expect(neededSources(findImageProgram('docker.io/istio/proxyv2:1.31-dev')!)).toEqual({ binaries: ['pilot-agent'], standIns: ['envoy'] });
    expect(containerArgv(findImageProgram('docker.io/istio/pilot')!, { args: ['discovery', '--monitoringAddr=:15014'] })).toEqual([
      '/usr/local/bin/pilot-discovery',
      'discovery',
      '--monitoringAddr=:15014',
    ]);
  });
});
