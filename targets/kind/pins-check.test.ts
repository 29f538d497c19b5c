// `npm run pins:check` against a local release list on 127.0.0.1 (there is no internet here): a
// list with newer releases, one with none, a server that is not there, and an answer that is not
// a release list.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runEntryPoint } from '../../helpers/testing/run-entry-point';
import { checkPins, comparePins } from './pins-check';
import { pins } from './pins';

const release = (tag: string, prerelease = false) => ({ tag_name: tag, draft: false, prerelease });
const lists = new Map<string, unknown>();
let server: http.Server;
let base: string;

beforeAll(async () => {
  const [older, newer] = pins.istio.supported.map((version) => version.split('.').map(Number)) as [[number, number, number], [number, number, number]];
  lists.set('/current', pins.istio.supported.map((version) => release(version)).concat([release(`${newer[0]}.${newer[1] + 1}.0-rc.0`, true)]));
  lists.set('/behind', [
    release(`${older[0]}.${older[1]}.${older[2] + 2}`),
    release(`${newer[0]}.${newer[1]}.${newer[2]}`),
    release(`${newer[0]}.${newer[1] + 1}.0`),
    release(`${newer[0]}.${newer[1] + 1}.1-rc.0`, true),
  ]);
  lists.set('/not-a-list', { message: 'API rate limit exceeded' });
  server = http.createServer((request, response) => {
    const body = lists.get(request.url ?? '');
    response.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? { message: 'Not Found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('comparePins', () => {
  test('names a newer patch of a pinned minor and a newer minor; ignores older and pre-releases', () => {
    const report = comparePins(['1.30.5', '1.31.1'], ['1.29.9', '1.30.5', '1.30.6', '1.31.1', '1.32.0-rc.1', 'v1.32.0']);
    expect(report).toEqual({
      state: 'behind',
      lines: ['pins are behind (targets/kind/tools.json):', '  Istio 1.30: 1.30.6 is released, the pin is 1.30.5', '  Istio 1.32: a newer minor (1.32.0) is released and not pinned'],
    });
  });

  test('says current when no newer stable release exists', () => {
    expect(comparePins(['1.30.5', '1.31.1'], ['1.30.5', '1.30.4', '1.31.1', '1.32.0-alpha.0'])).toEqual({
      state: 'current',
      lines: ['Istio pins are current: 1.30.5, 1.31.1 (the newest patch of each pinned minor)'],
    });
  });
});

describe('checkPins', () => {
  test('reads the release list and compares it with tools.json', async () => {
    expect((await checkPins(`${base}/current`)).state).toBe('current');
    const behind = await checkPins(`${base}/behind`);
    expect(behind.state).toBe('behind');
    expect(behind.lines).toHaveLength(3);
  });

  test('no server: says plainly it could not check, never "current"', async () => {
    const report = await checkPins('http://127.0.0.1:9/releases');
    expect(report).toEqual({
      state: 'unknown',
      lines: ['could not check the Istio pins: ECONNREFUSED reading http://127.0.0.1:9/releases (no network, or a wrong --releases-url); the pins were not compared'],
    });
  });

  test('an answer that is not a release list is "could not check" too', async () => {
    expect(await checkPins(`${base}/not-a-list`)).toEqual({
      state: 'unknown',
      lines: [`could not check the Istio pins: ${base}/not-a-list did not answer with a list of releases; the pins were not compared`],
    });
  });
});

describe('npm run pins:check', () => {
  test('exits 0 current, 1 behind, 3 when it could not check', async () => {
    const codes = await Promise.all(
      [`${base}/current`, `${base}/behind`, 'http://127.0.0.1:9/'].map(async (url) => (await runEntryPoint('scripts/pins-check.ts', ['--releases-url', url], { timeoutMs: 30_000 })).code),
    );
    expect(codes).toEqual([0, 1, 3]);
  }, 60_000);
});
