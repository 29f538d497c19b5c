// For the stand-in's tests: one gateway as the twin will run it, minus istiod and pilot-agent. The
// fake control plane stands where pilot-agent's sockets are, the bootstrap is pilot-agent's, and
// the stand-in runs in-process with its listeners bound to 127.0.0.1 (test-only bind override).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import type { Address } from '../address';
import { EnvoyStandIn } from '../server';
import { FakeControlPlane } from './fake-control-plane';
import { gatewayBootstrap, pilotAgentArgs } from './istio-gateway';

export interface Upstream {
  port: number;
  /** Request headers of the requests it answered, latest last. */
  seen: http.IncomingHttpHeaders[];
  close(): Promise<void>;
}

/** A go-httpbin-like upstream: /status/<code> (418 with the teapot), and the pilot-agent status port's /healthz/ready. */
export async function startUpstream(): Promise<Upstream> {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    const status = /^\/status\/(\d{3})/.exec(req.url ?? '');
    if (status) {
      const code = Number(status[1]);
      res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', server: 'test-httpbin', 'x-more-info': 'http://tools.ietf.org/html/rfc2324' });
      res.end(code === 418 ? "I'm a teapot!" : '');
      return;
    }
    if (req.url === '/healthz/ready') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', server: 'test-httpbin' });
    res.end(JSON.stringify({ headers: req.headers }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface Gateway {
  standIn: EnvoyStandIn;
  plane: FakeControlPlane;
  logs: string[];
  dir: string;
  adminUrl: string;
  /** The port a listener is bound to on 127.0.0.1, or undefined while it is not serving. */
  port(listener: string): number | undefined;
  close(): Promise<void>;
}

export interface GatewayOptions {
  apiType: 'GRPC' | 'DELTA_GRPC';
  statusPort: number;
  /** Fixed test ports for some listeners (others get an ephemeral one). */
  ports?: Record<string, number>;
  extraArgs?: string[];
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'envoy-standin-'));
  const plane = await FakeControlPlane.start(dir);
  const bootstrapPath = path.join(dir, 'envoy-rev.json');
  const bootstrap = gatewayBootstrap({ xdsPath: plane.xdsPath, sdsPath: plane.sdsPath, apiType: options.apiType, adminPort: 0, statusPort: options.statusPort });
  await writeFile(bootstrapPath, JSON.stringify(bootstrap, null, 2));
  const logs: string[] = [];
  const standIn = await EnvoyStandIn.start({
    argv: [...pilotAgentArgs(bootstrapPath), ...(options.extraArgs ?? [])],
    writeLog: (line) => logs.push(line),
    testOnly: {
      bindListener: (name: string): Address => ({ kind: 'socket', host: '127.0.0.1', port: options.ports?.[name] ?? 0 }),
    },
  });
  const admin = standIn.adminAddress;
  if (!admin || admin.kind !== 'socket') throw new Error('the bootstrap gives the admin a socket address');
  return {
    standIn,
    plane,
    logs,
    dir,
    adminUrl: `http://127.0.0.1:${admin.port}`,
    port: (listener) => {
      const bound = standIn.listeners().find((entry) => entry.name === listener)?.address;
      return bound?.kind === 'socket' ? bound.port : undefined;
    },
    close: async () => {
      await standIn.stop();
      await plane.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** GET on the admin interface: status and body text. */
export async function adminGet(gateway: Gateway, pathAndQuery: string, method = 'GET'): Promise<{ status: number; body: string }> {
  const response = await fetch(`${gateway.adminUrl}${pathAndQuery}`, { method });
  return { status: response.status, body: await response.text() };
}
