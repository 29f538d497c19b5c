// Route configurations: inline in an HTTP connection manager, or from RDS by name (one provider per
// name, shared by every connection manager that names it). A provider is warming until its first
// RouteConfiguration; an update that does not compile is rejected and the last good table stays.
import { armInitialFetchTimeout, InitTarget } from '../init';
import { compileRouteConfig, type CompiledRouteConfig } from '../http/router';
import type { Logger } from '../log';
import type { JsonObject } from '../proto';
import type { StatsStore } from '../stats';
import { TYPE_URL, type TypeWatch, type XdsMux, type XdsUpdate } from '../xds';

export class RouteProvider {
  table: CompiledRouteConfig | null = null;
  versionInfo = '';
  lastUpdated: Date | null = null;
  readonly init: InitTarget;
  users = 0;

  constructor(
    readonly name: string,
    readonly dynamic: boolean,
  ) {
    this.init = new InitTarget(`RDS ${name}`);
  }
}

export interface RoutesDump {
  static_route_configs: JsonObject[];
  dynamic_route_configs: JsonObject[];
}

export class RouteConfigSourceError extends Error {
  override name = 'RouteConfigSourceError';
}

export class RouteManager {
  private readonly providers = new Map<string, RouteProvider>();
  private readonly statics: RouteProvider[] = [];
  private watch: TypeWatch | null = null;

  constructor(
    private readonly ads: XdsMux | null,
    private readonly log: Logger,
    private readonly stats: StatsStore,
  ) {}

  /** A route table given inline (route_config). */
  inline(routeConfig: JsonObject): RouteProvider {
    const provider = new RouteProvider(String(routeConfig.name ?? ''), false);
    provider.table = compileRouteConfig(routeConfig);
    provider.lastUpdated = new Date();
    provider.init.markReady();
    this.statics.push(provider);
    return provider;
  }

  releaseInline(provider: RouteProvider): void {
    const at = this.statics.indexOf(provider);
    if (at >= 0) this.statics.splice(at, 1);
  }

  /** The provider for an Rds ({config_source, route_config_name}); callers release() it. */
  acquire(rds: JsonObject): RouteProvider {
    const name = String(rds.route_config_name ?? '');
    const configSource = rds.config_source as JsonObject | undefined;
    if (!configSource?.ads || !this.ads) throw new RouteConfigSourceError(`rds ${name}: only an ADS config source is supported`);
    let provider = this.providers.get(name);
    if (!provider) {
      provider = new RouteProvider(name, true);
      armInitialFetchTimeout(provider.init, configSource, () => this.stats.counter(`http.rds.${name}.init_fetch_timeout`).inc());
      this.providers.set(name, provider);
      this.refreshNames();
    }
    provider.users++;
    return provider;
  }

  release(provider: RouteProvider): void {
    provider.users--;
    if (provider.users > 0 || !provider.dynamic) return;
    this.providers.delete(provider.name);
    this.refreshNames();
  }

  private refreshNames(): void {
    if (!this.ads) return;
    if (!this.watch) this.watch = this.ads.watch(TYPE_URL.route, false, { onUpdate: (update) => this.onRds(update) });
    this.watch.setNames(this.providers.keys());
  }

  private onRds(update: XdsUpdate): void {
    // Compile everything first: a bad table rejects the whole response and changes nothing.
    const compiled = update.resources.map((resource) => ({ resource, table: compileRouteConfig(resource.resource) }));
    for (const { resource, table } of compiled) {
      const provider = this.providers.get(resource.name);
      if (!provider) continue;
      provider.table = table;
      provider.versionInfo = resource.version || update.versionInfo;
      provider.lastUpdated = new Date();
      this.stats.counter(`http.rds.${resource.name}.update_success`).inc();
      this.log.debug('router', `rds: loading new configuration: config_name=${resource.name} hash=${provider.versionInfo}`, 'source/common/router/rds_impl.cc:117');
      provider.init.markReady();
    }
  }

  dump(): RoutesDump {
    const entry = (provider: RouteProvider, dynamic: boolean): JsonObject => ({
      ...(dynamic ? { version_info: provider.versionInfo } : {}),
      route_config: { '@type': TYPE_URL.route, ...(provider.table?.config ?? { name: provider.name }) },
      last_updated: (provider.lastUpdated ?? new Date()).toISOString(),
    });
    return {
      static_route_configs: this.statics.map((provider) => entry(provider, false)),
      dynamic_route_configs: [...this.providers.values()].filter((provider) => provider.table).map((provider) => entry(provider, true)),
    };
  }
}
