// bin/envoy as pilot-agent runs it: a separate process on the repository's Node, its working
// directory holding the relative xDS socket paths of pilot-agent's bootstrap, admin address
// written with --admin-address-path, LIVE once xDS is in, and SIGTERM ends it with exit 0.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eventually } from '../../helpers/eventually';
import { FakeControlPlane } from './testing/fake-control-plane';
import { gatewayBootstrap, pilotAgentArgs } from './testing/istio-gateway';
import type { JsonObject } from './proto';
import { TYPE_URL } from './xds';

const BINARY = path.join(__dirname, 'bin', 'envoy');
let dir: string;
let plane: FakeControlPlane;
let child: ChildProcess | null = null;
let output = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'envoy-bin-'));
  plane = await FakeControlPlane.start(dir);
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  await plane?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function run(args: string[]): ChildProcess {
  const started = spawn(BINARY, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  started.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  started.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return started;
}

describe('bin/envoy', () => {
  test('--version prints the version line and exits 0', async () => {
    const versionRun = run(['--version']);
    const [code] = (await once(versionRun, 'exit')) as [number];
    expect(code).toBe(0);
    expect(output).toMatch(/envoy {2}version: [0-9a-f]{40}\/1\.\d+\.\d+\/Clean\/RELEASE\/BoringSSL/);
  }, 30_000);

  test('a bootstrap it cannot read: exit 1 with the reason', async () => {
    output = '';
    const bad = run(['-c', 'missing.json']);
    const [code] = (await once(bad, 'exit')) as [number];
    expect(code).toBe(1);
    expect(output).toContain('unable to read file: missing.json');
  }, 30_000);

  test('runs on relative socket paths, becomes LIVE, and stops on SIGTERM', async () => {
    output = '';
    // pilot-agent's relative paths (./etc/istio/proxy/XDS): the fake listens in the working directory.
    const bootstrap = gatewayBootstrap({ xdsPath: './XDS', sdsPath: './sds', apiType: 'DELTA_GRPC', adminPort: 0, statusPort: 1 });
    bootstrap.static_resources = { clusters: (bootstrap.static_resources as JsonObject).clusters ?? [] };
    await writeFile(path.join(dir, 'envoy-rev.json'), JSON.stringify(bootstrap));
    plane.setResources(TYPE_URL.cluster, []);
    plane.setResources(TYPE_URL.listener, [
      {
        name: '127.0.0.1_0',
        address: { socket_address: { address: '127.0.0.1', port_value: 0 } },
        filter_chains: [
          {
            filters: [
              {
                name: 'envoy.filters.network.http_connection_manager',
                typed_config: {
                  '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                  stat_prefix: 'direct',
                  route_config: { name: 'direct', virtual_hosts: [{ name: 'all', domains: ['*'], routes: [{ match: { prefix: '/' }, direct_response: { status: 418, body: { inline_string: "I'm a teapot!" } } }] }] },
                  http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }],
                },
              },
            ],
          },
        ],
      },
    ]);
    const started = Date.now();
    child = run([...pilotAgentArgs('envoy-rev.json'), '--admin-address-path', 'admin-address']);
    const admin = await eventually(() => readFile(path.join(dir, 'admin-address'), 'utf8'), (text) => /:\d+$/.test(text), { budgetMs: 20_000, converge: 1, initialDelayMs: 50 });
    await eventually(async () => (await fetch(`http://${admin}/ready`)).status, (status) => status === 200, { budgetMs: 20_000, converge: 1, initialDelayMs: 50 });
    const liveAfterMs = Date.now() - started;
    const listeners = (await (await fetch(`http://${admin}/listeners?format=json`)).json()) as { listener_statuses: Array<{ local_address: { socket_address: { port_value: number } } }> };
    const port = listeners.listener_statuses[0]!.local_address.socket_address.port_value;
    const response = await fetch(`http://127.0.0.1:${port}/anything`);
    expect([response.status, await response.text(), response.headers.get('server')]).toEqual([418, "I'm a teapot!", 'envoy']);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
    expect(output).toContain('caught ENVOY_SIGTERM');
    // Not an assertion on speed, a record of it: start to LIVE, Node and the protos included.
    console.log(`bin/envoy: LIVE ${liveAfterMs} ms after spawn`);
  }, 60_000);
});
