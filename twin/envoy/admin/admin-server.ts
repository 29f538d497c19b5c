// Envoy's admin interface on the bootstrap's admin address (127.0.0.1:15000 in an Istio pod, or a
// Unix socket): the endpoints pilot-agent and the troubleshooting steps use. /ready and the stats
// pilot-agent's readiness probe reads (`/stats?usedonly&filter=^(server.state|listener_manager.workers_started)`
// and the cds/lds update counters), /certs, /config_dump (keys redacted), /server_info,
// /listeners, /clusters, /logging, and the POST-only /quitquitquit, /drain_listeners,
// /healthcheck/fail|ok.
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import type { Address } from '../address';
import { parseLevel, type Logger } from '../log';
import type { StatsStore } from '../stats';
import { adminJson } from './certs';

export interface AdminView {
  log: Logger;
  stats: StatsStore;
  serverState(): string;
  refreshGauges(): void;
  certs(): unknown;
  configDump(query: URLSearchParams): unknown;
  serverInfo(): unknown;
  listeners(): Array<{ name: string; address: Address }>;
  clusters(): Array<{ name: string; endpoints: Array<{ address: string; healthy: boolean }> }>;
  quit(): void;
  drainListeners(inboundOnly: boolean, graceful: boolean): void;
  setHealthCheckFailed(failed: boolean): void;
}

const MUTATING = new Set(['/quitquitquit', '/drain_listeners', '/healthcheck/fail', '/healthcheck/ok', '/logging', '/reset_counters', '/runtime_modify']);
const COMPONENTS = ['admin', 'config', 'connection', 'conn_handler', 'filter', 'http', 'http2', 'init', 'main', 'misc', 'router', 'runtime', 'secret', 'upstream'];

const HELP = [
  'admin commands are:',
  '  /: Admin home page',
  '  /certs: print certs on machine',
  '  /clusters: upstream cluster status',
  '  /config_dump: dump current Envoy configs (experimental)',
  '  /drain_listeners (POST): drain listeners',
  '  /healthcheck/fail (POST): cause the server to fail health checks',
  '  /healthcheck/ok (POST): cause the server to pass health checks',
  '  /help: print out list of admin commands',
  '  /listeners: print listener info',
  '  /logging (POST): query/change logging levels',
  '  /quitquitquit (POST): exit the server',
  '  /ready: print server state, return 200 if LIVE, otherwise return 503',
  '  /server_info: print server version/status information',
  '  /stats: print server stats',
  '  /stats/prometheus: print server stats in prometheus format',
].join('\n');

function promName(name: string): string {
  return `envoy_${name.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

export class AdminServer {
  private server: http.Server | null = null;

  constructor(private readonly view: AdminView) {}

  async listen(address: Address): Promise<Address> {
    const server = http.createServer((req, res) => this.handle(req, res));
    this.server = server;
    if (address.kind === 'pipe') {
      fs.rmSync(address.path, { force: true });
      server.listen(address.path);
    } else {
      server.listen({ host: address.host, port: address.port });
    }
    await once(server, 'listening');
    if (address.kind === 'pipe') return address;
    const bound = server.address() as net.AddressInfo;
    return { kind: 'socket', host: bound.address, port: bound.port };
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://admin');
    const path = url.pathname;
    const query = url.searchParams;
    const send = (status: number, body: string, type = 'text/plain; charset=UTF-8') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-cache, max-age=0', 'x-content-type-options': 'nosniff' });
      res.end(body);
    };
    const json = (value: unknown) => send(200, adminJson(value), 'application/json');
    if (MUTATING.has(path) && req.method !== 'POST') return send(405, 'Method Not Allowed\n');
    const { view } = this;
    try {
      switch (path) {
        case '/ready': {
          const state = view.serverState();
          return send(state === 'LIVE' ? 200 : 503, `${state}\n`);
        }
        case '/stats': {
          view.refreshGauges();
          const filterText = query.get('filter');
          let filter: RegExp | undefined;
          if (filterText) {
            try {
              filter = new RegExp(filterText);
            } catch {
              return send(400, `Invalid re2 regex\n`);
            }
          }
          const entries = view.stats.entries({ usedOnly: query.has('usedonly'), filter });
          if (query.get('format') === 'json') return json({ stats: entries.map(({ name, value }) => ({ name, value })) });
          if (query.get('format') === 'prometheus') return send(200, this.prometheus(entries));
          return send(200, entries.map(({ name, value }) => `${name}: ${value}\n`).join(''));
        }
        case '/stats/prometheus':
          view.refreshGauges();
          return send(200, this.prometheus(view.stats.entries({ usedOnly: query.has('usedonly') })));
        case '/certs':
          return json(view.certs());
        case '/config_dump':
          return json(view.configDump(query));
        case '/server_info':
          return json(view.serverInfo());
        case '/listeners': {
          const listeners = view.listeners();
          if (query.get('format') === 'json') {
            return json({
              listener_statuses: listeners.map(({ name, address }) => ({
                name,
                local_address: address.kind === 'pipe' ? { pipe: { path: address.path } } : { socket_address: { address: address.host, port_value: address.port } },
              })),
            });
          }
          return send(200, listeners.map(({ name, address }) => `${name}::${address.kind === 'pipe' ? address.path : `${address.host}:${address.port}`}\n`).join(''));
        }
        case '/clusters': {
          const clusters = view.clusters();
          if (query.get('format') === 'json') return json({ cluster_statuses: clusters.map(({ name, endpoints }) => ({ name, host_statuses: endpoints.map((e) => ({ address: e.address, health_status: { eds_health_status: e.healthy ? 'HEALTHY' : 'UNHEALTHY' } })) })) });
          return send(200, clusters.flatMap(({ name, endpoints }) => endpoints.map((e) => `${name}::${e.address}::health_flags::${e.healthy ? 'healthy' : '/failed_eds_health'}\n`)).join(''));
        }
        case '/logging':
          return send(200, this.logging(query));
        case '/quitquitquit':
          send(200, 'OK\n');
          setImmediate(() => view.quit());
          return;
        case '/drain_listeners':
          view.drainListeners(query.has('inboundonly'), query.has('graceful'));
          return send(200, 'OK\n');
        case '/healthcheck/fail':
          view.setHealthCheckFailed(true);
          return send(200, 'OK\n');
        case '/healthcheck/ok':
          view.setHealthCheckFailed(false);
          return send(200, 'OK\n');
        case '/hot_restart_version':
          return send(200, 'disabled\n');
        case '/memory':
          return json({ allocated: String(process.memoryUsage().heapUsed), heap_size: String(process.memoryUsage().heapTotal) });
        case '/runtime':
          return json({ layers: ['global config', 'admin'], entries: {} });
        case '/':
        case '/help':
          return send(200, `${HELP}\n`);
        default:
          return send(404, `invalid path. ${HELP}\n`);
      }
    } catch (error) {
      view.log.error('admin', `admin request ${path} failed: ${(error as Error).message}`);
      return send(500, `${(error as Error).message}\n`);
    }
  }

  private prometheus(entries: Array<{ name: string; kind: 'counter' | 'gauge'; value: number }>): string {
    return entries.map(({ name, kind, value }) => `# TYPE ${promName(name)} ${kind}\n${promName(name)}{} ${value}\n`).join('');
  }

  private logging(query: URLSearchParams): string {
    const { log } = this.view;
    const level = query.get('level');
    if (level !== null) {
      const parsed = parseLevel(level);
      if (!parsed) return `error: unknown logger level\n`;
      log.setLevel(parsed);
    }
    const paths = query.get('paths');
    if (paths) log.applyComponentLevels(paths);
    for (const [key, value] of query) {
      if (key === 'level' || key === 'paths') continue;
      const parsed = parseLevel(value);
      if (parsed && COMPONENTS.includes(key)) log.setComponentLevel(key, parsed);
    }
    const levels = log.levels(COMPONENTS);
    return `active loggers:\n${Object.entries(levels).map(([name, value]) => `  ${name}: ${value}`).join('\n')}\n`;
  }
}
