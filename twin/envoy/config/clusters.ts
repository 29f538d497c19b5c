// Clusters and their endpoints, as Envoy's cluster manager keeps them: static clusters from the
// bootstrap, dynamic ones from CDS (state of the world: a cluster missing from a push is removed),
// endpoints inline (load_assignment) or from EDS (ClusterLoadAssignment). An EDS cluster is
// warming until its first assignment. Initialization follows Envoy: static clusters, then the
// first CDS response and the warming of what it brought, then listeners.
import http from 'node:http';
import { readAddress, type Address } from '../address';
import { armInitialFetchTimeout, durationMs, InitTarget } from '../init';
import type { Logger } from '../log';
import type { JsonObject } from '../proto';
import type { StatsStore } from '../stats';
import { TYPE_URL, type TypeWatch, type XdsMux, type XdsUpdate } from '../xds';

export interface Endpoint {
  address: Address;
  healthy: boolean;
  metadata: JsonObject;
}

export class ClusterConfigError extends Error {
  override name = 'ClusterConfigError';
}

const SUPPORTED_TYPES = new Set(['STATIC', 'STRICT_DNS', 'LOGICAL_DNS', 'EDS', 'ORIGINAL_DST']);

export class Cluster {
  readonly name: string;
  readonly type: string;
  /** The EDS resource name (service_name, else the cluster name). */
  readonly edsName: string | null;
  readonly connectTimeoutMs: number;
  readonly init: InitTarget;
  endpoints: Endpoint[] = [];
  assignment: JsonObject | null = null;
  versionInfo = '';
  lastUpdated = new Date();
  readonly agent: http.Agent;
  private next = 0;

  constructor(readonly config: JsonObject) {
    this.name = String(config.name ?? '');
    if (this.name === '') throw new ClusterConfigError('cluster name cannot be empty');
    this.type = clusterType(config);
    if (!SUPPORTED_TYPES.has(this.type)) throw new ClusterConfigError(`cluster ${this.name}: unsupported cluster type ${this.type}`);
    this.init = new InitTarget(`Cluster ${this.name}`);
    this.connectTimeoutMs = durationMs(config.connect_timeout) ?? 5_000;
    this.agent = new http.Agent({ keepAlive: true });
    if (this.type === 'EDS') {
      const eds = config.eds_cluster_config as JsonObject | undefined;
      if (!eds) throw new ClusterConfigError(`cluster ${this.name}: EDS cluster without eds_cluster_config`);
      this.edsName = typeof eds.service_name === 'string' && eds.service_name !== '' ? eds.service_name : this.name;
    } else {
      this.edsName = null;
      if (config.load_assignment) this.setAssignment(config.load_assignment as JsonObject, '');
      this.init.markReady();
    }
  }

  /** Replaces the endpoints from a ClusterLoadAssignment. */
  setAssignment(assignment: JsonObject, versionInfo: string): void {
    const endpoints: Endpoint[] = [];
    for (const locality of (assignment.endpoints as JsonObject[] | undefined) ?? []) {
      for (const lbEndpoint of (locality.lb_endpoints as JsonObject[] | undefined) ?? []) {
        const endpoint = lbEndpoint.endpoint as JsonObject | undefined;
        if (!endpoint) continue;
        const status = String(lbEndpoint.health_status ?? 'UNKNOWN');
        endpoints.push({
          address: readAddress(endpoint.address as JsonObject | undefined, `cluster ${this.name} endpoint`),
          healthy: status === 'UNKNOWN' || status === 'HEALTHY' || status === 'DEGRADED',
          metadata: (lbEndpoint.metadata as JsonObject | undefined) ?? {},
        });
      }
    }
    this.endpoints = endpoints;
    this.assignment = assignment;
    this.versionInfo = versionInfo;
    this.lastUpdated = new Date();
  }

  /** Round robin over healthy endpoints (Envoy's default lb_policy). */
  pick(): Endpoint | null {
    const healthy = this.endpoints.filter((endpoint) => endpoint.healthy);
    if (healthy.length === 0) return null;
    const endpoint = healthy[this.next % healthy.length]!;
    this.next = (this.next + 1) % Number.MAX_SAFE_INTEGER;
    return endpoint;
  }

  close(): void {
    this.agent.destroy();
  }
}

function clusterType(config: JsonObject): string {
  if (typeof config.type === 'string') return config.type;
  if (config.cluster_type) return 'CUSTOM';
  return 'STATIC';
}

export interface ClustersDump {
  version_info: string;
  static_clusters: JsonObject[];
  dynamic_active_clusters: JsonObject[];
  dynamic_warming_clusters: JsonObject[];
}

export class ClusterManager {
  private readonly staticClusters = new Map<string, Cluster>();
  private readonly dynamicClusters = new Map<string, Cluster>();
  private cdsVersion = '';
  private edsWatch: TypeWatch | null = null;
  private readonly cdsInit = new InitTarget('CDS');

  constructor(
    private readonly log: Logger,
    private readonly stats: StatsStore,
  ) {
    this.gauges();
  }

  addStatic(configs: JsonObject[]): void {
    for (const config of configs) {
      const cluster = new Cluster(config);
      if (this.staticClusters.has(cluster.name)) throw new ClusterConfigError(`cluster manager: duplicate cluster '${cluster.name}'`);
      this.staticClusters.set(cluster.name, cluster);
    }
    this.log.info('upstream', `loading ${configs.length} cluster(s)`, 'source/server/configuration_impl.cc:164');
    this.gauges();
  }

  get(name: string): Cluster | undefined {
    return this.dynamicClusters.get(name) ?? this.staticClusters.get(name);
  }

  /** The first endpoint of a static cluster (the gRPC config sources: xds-grpc, sds-grpc). */
  staticAddress(name: string): Address | null {
    return this.staticClusters.get(name)?.endpoints[0]?.address ?? null;
  }

  /**
   * Subscribes to CDS (and EDS for its clusters) on the given stream. The returned promise settles
   * when Envoy would finish cluster manager initialization: the first CDS update and its warming.
   */
  subscribe(ads: XdsMux | null, cdsConfig: JsonObject | null): Promise<void> {
    if (!cdsConfig) {
      this.cdsInit.markReady();
      return this.cdsInit.done;
    }
    if (!cdsConfig.ads || !ads) throw new ClusterConfigError('cds_config: only ADS is supported');
    armInitialFetchTimeout(this.cdsInit, cdsConfig, () => this.stats.counter('cluster_manager.cds.init_fetch_timeout').inc());
    this.edsWatch = ads.watch(TYPE_URL.endpoint, false, { onUpdate: (update) => this.onEds(update) });
    ads.watch(TYPE_URL.cluster, true, {
      onUpdate: (update) => this.onCds(update),
      onStreamFailure: () => this.stats.counter('cluster_manager.cds.update_failure').inc(),
    });
    this.log.info('upstream', 'cm init: initializing cds', 'source/common/upstream/cluster_manager_impl.cc:246');
    return this.cdsInit.done.then(async () => {
      await Promise.all([...this.dynamicClusters.values()].map((cluster) => cluster.init.done));
      this.log.info('upstream', 'cm init: all clusters initialized', 'source/common/upstream/cluster_manager_impl.cc:251');
    });
  }

  private onCds(update: XdsUpdate): void {
    this.stats.counter('cluster_manager.cds.update_attempt').inc();
    try {
      const created = update.resources.map((resource) => ({ resource, cluster: new Cluster(resource.resource) }));
      let added = 0;
      let skipped = 0;
      for (const { resource, cluster } of created) {
        const previous = this.dynamicClusters.get(cluster.name);
        if (this.staticClusters.has(cluster.name)) throw new ClusterConfigError(`cluster manager: cannot update static cluster '${cluster.name}'`);
        if (previous && JSON.stringify(previous.config) === JSON.stringify(cluster.config)) {
          cluster.close();
          skipped++;
          continue;
        }
        cluster.versionInfo = resource.version;
        if (previous) {
          // Endpoints carry over while the new cluster waits for its own assignment.
          if (previous.assignment && previous.edsName === cluster.edsName) {
            cluster.setAssignment(previous.assignment, previous.versionInfo);
            cluster.init.markReady();
          }
          previous.close();
          this.stats.counter('cluster_manager.cluster_modified').inc();
        } else {
          this.stats.counter('cluster_manager.cluster_added').inc();
        }
        if (cluster.edsName !== null && !cluster.init.ready) armInitialFetchTimeout(cluster.init, edsConfigSource(cluster.config), () => undefined);
        this.dynamicClusters.set(cluster.name, cluster);
        added++;
      }
      for (const name of update.removed) {
        const cluster = this.dynamicClusters.get(name);
        if (!cluster) continue;
        cluster.close();
        this.dynamicClusters.delete(name);
        this.stats.counter('cluster_manager.cluster_removed').inc();
      }
      this.cdsVersion = update.versionInfo;
      this.refreshEdsNames();
      this.log.info('upstream', `cds: added/updated ${added} cluster(s), skipped ${skipped} unmodified cluster(s)`, 'source/common/upstream/cds_api_helper.cc:32');
    } catch (error) {
      this.stats.counter('cluster_manager.cds.update_rejected').inc();
      throw error;
    }
    this.stats.counter('cluster_manager.cds.update_success').inc();
    this.gauges();
    this.cdsInit.markReady();
  }

  private onEds(update: XdsUpdate): void {
    for (const resource of update.resources) {
      for (const cluster of this.dynamicClusters.values()) {
        if (cluster.edsName !== resource.name) continue;
        this.stats.counter(`cluster.${cluster.name}.update_attempt`).inc();
        cluster.setAssignment(resource.resource, resource.version || update.versionInfo);
        this.stats.counter(`cluster.${cluster.name}.update_success`).inc();
        this.stats.gauge(`cluster.${cluster.name}.membership_total`).set(cluster.endpoints.length);
        this.stats.gauge(`cluster.${cluster.name}.membership_healthy`).set(cluster.endpoints.filter((endpoint) => endpoint.healthy).length);
        cluster.init.markReady();
      }
    }
    this.gauges();
  }

  private refreshEdsNames(): void {
    const names = new Set<string>();
    for (const cluster of this.dynamicClusters.values()) if (cluster.edsName !== null) names.add(cluster.edsName);
    this.edsWatch?.setNames(names);
  }

  private gauges(): void {
    const all = [...this.staticClusters.values(), ...this.dynamicClusters.values()];
    this.stats.gauge('cluster_manager.active_clusters').set(all.filter((cluster) => cluster.init.ready).length);
    this.stats.gauge('cluster_manager.warming_clusters').set(all.filter((cluster) => !cluster.init.ready).length);
  }

  dump(): ClustersDump {
    const entry = (cluster: Cluster, dynamic: boolean): JsonObject => ({
      ...(dynamic ? { version_info: cluster.versionInfo } : {}),
      cluster: { '@type': TYPE_URL.cluster, ...cluster.config },
      last_updated: cluster.lastUpdated.toISOString(),
    });
    const dynamic = [...this.dynamicClusters.values()];
    return {
      version_info: this.cdsVersion,
      static_clusters: [...this.staticClusters.values()].map((cluster) => entry(cluster, false)),
      dynamic_active_clusters: dynamic.filter((cluster) => cluster.init.ready).map((cluster) => entry(cluster, true)),
      dynamic_warming_clusters: dynamic.filter((cluster) => !cluster.init.ready).map((cluster) => entry(cluster, true)),
    };
  }

  /** EndpointsConfigDump (config_dump?include_eds). */
  endpointsDump(): JsonObject {
    const entry = (cluster: Cluster): JsonObject => ({
      endpoint_config: { '@type': TYPE_URL.endpoint, ...(cluster.assignment ?? { cluster_name: cluster.name }) },
      ...(cluster.edsName !== null ? { version_info: cluster.versionInfo } : {}),
      last_updated: cluster.lastUpdated.toISOString(),
    });
    return {
      static_endpoint_configs: [...this.staticClusters.values()].map(entry),
      dynamic_endpoint_configs: [...this.dynamicClusters.values()].filter((cluster) => cluster.edsName !== null).map(entry),
    };
  }

  /** Every cluster, for /clusters. */
  all(): Cluster[] {
    return [...this.staticClusters.values(), ...this.dynamicClusters.values()];
  }

  close(): void {
    for (const cluster of this.all()) cluster.close();
  }
}

function edsConfigSource(config: JsonObject): JsonObject | undefined {
  return ((config.eds_cluster_config as JsonObject | undefined)?.eds_config as JsonObject | undefined) ?? undefined;
}
