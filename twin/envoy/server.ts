// The stand-in's server: what Envoy's Server::InstanceImpl does for the parts Istio gateways use.
// It reads the command line and bootstrap, starts the admin interface, loads static clusters,
// secrets and listeners, opens ADS, initializes the cluster manager (CDS, then EDS for what CDS
// brought), then listeners (LDS, with RDS and SDS for what they name), and once all that is warm
// starts its "workers": the listeners accept connections and server.state becomes LIVE (0).
import fs from 'node:fs';
import { addressText, type Address } from './address';
import { AdminServer, type AdminView } from './admin/admin-server';
import { certsResponse } from './admin/certs';
import { configDump } from './admin/config-dump';
import { loadBootstrap, type Bootstrap } from './bootstrap';
import { ENVOY_VERSION, parseCommandLine, STAND_IN_REVISION, type CommandLine } from './command-line';
import { ClusterManager } from './config/clusters';
import { RouteManager } from './config/routes';
import { SecretManager } from './config/secrets';
import { ListenerManager, type BindOverride } from './listener/listener-manager';
import { Logger, parseLevel } from './log';
import { envoyProtos, type JsonObject } from './proto';
import { StatsStore } from './stats';
import type { ServerTlsState } from './tls/server-context';
import { ConfigSources } from './xds';
import { activeFaultsReader, hasFault, type ActiveFaults } from '../faults/active';

export type ServerState = 'LIVE' | 'DRAINING' | 'PRE_INITIALIZING' | 'INITIALIZING';
const STATE_NUMBER: Record<ServerState, number> = { LIVE: 0, DRAINING: 1, PRE_INITIALIZING: 2, INITIALIZING: 3 };

export interface StandInOptions {
  /** Envoy's command line (without the program name). */
  argv: string[];
  /** Where log lines go (default stderr). */
  writeLog?: (line: string) => void;
  /** What /quitquitquit and a fatal start do; the program exits, a test stops the instance. */
  onExit?: (code: number) => void;
  /** The twin's active-faults file (twin/faults); main.ts passes TWIN_FAULTS_FILE. */
  faultsFile?: string;
  /**
   * Test-only hooks, never used in a pod: tests bind listeners to 127.0.0.1 with ephemeral ports
   * instead of the addresses Istio sends (0.0.0.0:8443).
   */
  testOnly?: { bindListener?: BindOverride };
}

export class EnvoyStandIn implements AdminView {
  readonly log: Logger;
  readonly stats: StatsStore;
  readonly commandLine: CommandLine;
  readonly bootstrap: Bootstrap;
  private readonly sources: ConfigSources;
  private readonly readFaults: () => ActiveFaults;
  private staleCerts: unknown;
  private faultWatch: NodeJS.Timeout | undefined;
  private readonly clusterManager: ClusterManager;
  private readonly secretManager: SecretManager;
  private readonly routeManager: RouteManager;
  private readonly listenerManager: ListenerManager;
  private readonly admin: AdminServer;
  private state: ServerState = 'PRE_INITIALIZING';
  private healthCheckFailed = false;
  private readonly startedAt = new Date();
  private adminBound: Address | null = null;
  private live!: Promise<void>;
  private stopped = false;

  private constructor(private readonly options: StandInOptions) {
    this.commandLine = parseCommandLine(options.argv);
    this.log = new Logger(parseLevel(this.commandLine.logLevel) ?? 'info', options.writeLog);
    if (this.commandLine.componentLogLevel) {
      for (const bad of this.log.applyComponentLevels(this.commandLine.componentLogLevel)) this.log.warn('main', `invalid component log level: ${bad}`);
    }
    this.bootstrap = loadBootstrap(this.commandLine);
    if (this.bootstrap.logFormat) this.log.setFormat(this.bootstrap.logFormat);
    for (const field of this.bootstrap.unknownFields) this.log.warn('misc', `Unknown field in bootstrap ignored: ${field}`, 'source/common/protobuf/message_validator_impl.cc:21');
    if (this.commandLine.ignored.length > 0) this.log.debug('main', `ignored command line arguments: ${this.commandLine.ignored.join(' ')}`);

    this.stats = new StatsStore(this.bootstrap.statsConfig);
    this.setState('PRE_INITIALIZING');
    this.stats.gauge('server.live').set(0);
    this.stats.gauge('server.concurrency').set(this.commandLine.concurrency);
    this.stats.gauge('listener_manager.workers_started').set(0);

    this.clusterManager = new ClusterManager(this.log, this.stats);
    this.clusterManager.addStatic(this.bootstrap.staticClusters);
    this.sources = new ConfigSources({
      node: this.xdsNode(),
      adsConfig: this.bootstrap.adsConfig,
      log: this.log,
      staticClusterAddress: (name) => this.clusterManager.staticAddress(name),
      faultsFile: options.faultsFile,
    });
    this.readFaults = activeFaultsReader(options.faultsFile);
    if (options.faultsFile) this.faultWatch = setInterval(() => this.followCertsFault(), 250).unref();
    this.secretManager = new SecretManager(this.sources, this.log, this.stats);
    this.secretManager.addStatic(this.bootstrap.staticSecrets);
    this.routeManager = new RouteManager(this.sources.ads, this.log, this.stats);
    this.listenerManager = new ListenerManager(
      {
        secrets: this.secretManager,
        routes: this.routeManager,
        clusters: this.clusterManager,
        stats: this.stats,
        log: this.log,
        onTlsUpdate: (listener) => this.stats.counter(`listener.${listener}.server_ssl_socket_factory.ssl_context_update_by_sds`).inc(),
      },
      this.commandLine.drainTimeSeconds * 1000,
      options.testOnly?.bindListener ?? null,
      this.commandLine.drainStrategy,
    );
    this.admin = new AdminServer(this);
  }

  /** Starts an instance: resolves once the admin interface listens; whenLive() waits for the rest. */
  static async start(options: StandInOptions): Promise<EnvoyStandIn> {
    envoyProtos();
    const server = new EnvoyStandIn(options);
    await server.run();
    return server;
  }

  private xdsNode(): JsonObject {
    const [major, minor, patch] = ENVOY_VERSION.split('.').map(Number);
    return {
      ...this.bootstrap.node,
      user_agent_name: 'envoy',
      user_agent_build_version: {
        version: { major_number: major ?? 0, minor_number: minor ?? 0, patch: patch ?? 0 },
        metadata: { 'revision.sha': STAND_IN_REVISION, 'revision.status': 'Clean', 'build.type': 'RELEASE', 'ssl.version': 'BoringSSL' },
      },
      client_features: ['envoy.lb.does_not_support_overprovisioning', 'envoy.lrs.supports_send_all_clusters', 'xds.config.resource-in-sotw'],
    };
  }

  private setState(state: ServerState): void {
    this.state = state;
    this.stats.gauge('server.state').set(STATE_NUMBER[state]);
  }

  private async run(): Promise<void> {
    const { log, bootstrap } = this;
    log.info('main', `initializing epoch 0 (base id=0, hash=${STAND_IN_REVISION.slice(0, 16)})`, 'source/server/server.cc:437');
    log.info('main', `statically linked extensions: (the TypeScript stand-in for Envoy ${ENVOY_VERSION})`, 'source/server/server.cc:439');
    log.info('main', `node identifier: id "${String(bootstrap.node.id ?? '')}", cluster "${String(bootstrap.node.cluster ?? '')}"`, 'source/server/server.cc:896');
    if (bootstrap.adminAddress) {
      this.adminBound = await this.admin.listen(bootstrap.adminAddress);
      log.info('main', `admin address: ${addressText(this.adminBound)}`, 'source/server/admin/admin.cc:65');
      if (this.commandLine.adminAddressPath) fs.writeFileSync(this.commandLine.adminAddressPath, addressText(this.adminBound));
    }
    this.listenerManager.addStatic(bootstrap.staticListeners);
    this.sources.start();
    log.info('main', 'starting main dispatch loop', 'source/server/server.cc:1045');
    this.live = this.initialize();
    this.live.catch((error: unknown) => {
      if (this.stopped) return;
      log.critical('main', `error initializing configuration: ${(error as Error).message}`, 'source/server/server.cc:1023');
      this.options.onExit?.(1);
    });
  }

  private async initialize(): Promise<void> {
    await this.clusterManager.subscribe(this.sources.ads, this.bootstrap.cdsConfig);
    this.setState('INITIALIZING');
    this.log.info('main', 'all clusters initialized. initializing init manager', 'source/server/server.cc:1000');
    await Promise.all([this.listenerManager.subscribe(this.sources.ads, this.bootstrap.ldsConfig), this.listenerManager.warmAll()]);
    if (this.stopped) return;
    this.log.info('main', 'all dependencies initialized. starting workers', 'source/server/server.cc:989');
    await this.listenerManager.startWorkers();
    this.setState(this.healthCheckFailed ? 'DRAINING' : 'LIVE');
    this.stats.gauge('server.live').set(1);
  }

  /** Resolves when the server is LIVE (listeners accepting). */
  whenLive(): Promise<void> {
    return this.live;
  }

  get adminAddress(): Address | null {
    return this.adminBound;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.log.info('main', 'shutting down server instance', 'source/server/server.cc:1103');
    this.sources.stop();
    clearInterval(this.faultWatch);
    await this.admin.close();
    await this.listenerManager.close();
    this.clusterManager.close();
    this.log.info('main', 'exiting', 'source/server/server.cc:1109');
  }

  // --- AdminView ---------------------------------------------------------------------------

  serverState(): string {
    return this.state;
  }

  refreshGauges(): void {
    this.stats.gauge('server.uptime').set(Math.floor((Date.now() - this.startedAt.getTime()) / 1000));
    const certificates = this.secretManager.loadedCertificates();
    const days = certificates.map((certificate) => Math.max(0, Math.floor((certificate.validToDate.getTime() - Date.now()) / 86_400_000)));
    this.stats.gauge('server.days_until_first_cert_expiring').set(days.length > 0 ? Math.min(...days) : 2147483647);
  }

  private tlsStates(): ServerTlsState[] {
    const states: ServerTlsState[] = [];
    for (const listener of this.listenerManager.liveConfigs()) {
      for (const chain of listener.allChains()) {
        const state = chain.tls?.state();
        if (state) states.push(state);
      }
    }
    return states;
  }

  certs(): unknown {
    this.followCertsFault();
    return this.staleCerts ?? certsResponse(this.tlsStates());
  }

  /**
   * The one fault inside the stand-in (suites/secure-gateways/faults.ts says why, at certs-admin-stale): from the moment
   * certs-admin-stale is armed, /certs keeps answering what Envoy held then. Without a faults file
   * (outside a rehearsal) nothing here ever changes.
   */
  private followCertsFault(): void {
    const armed = hasFault(this.readFaults(), 'certs-admin-stale');
    if (!armed) this.staleCerts = undefined;
    else this.staleCerts ??= certsResponse(this.tlsStates());
  }

  configDump(query: URLSearchParams): unknown {
    return configDump(
      {
        bootstrap: this.bootstrap.json,
        bootstrapUpdated: this.startedAt,
        clusters: this.clusterManager.dump() as unknown as JsonObject,
        listeners: this.listenerManager.dump(),
        routes: this.routeManager.dump() as unknown as JsonObject,
        secrets: this.secretManager.dump() as unknown as JsonObject,
        endpoints: this.clusterManager.endpointsDump(),
      },
      query,
    );
  }

  serverInfo(): unknown {
    const uptime = `${Math.floor((Date.now() - this.startedAt.getTime()) / 1000)}s`;
    const line = this.commandLine;
    return {
      version: `${STAND_IN_REVISION}/${ENVOY_VERSION}/Clean/RELEASE/BoringSSL`,
      state: this.state,
      hot_restart_version: 'disabled',
      command_line_options: {
        base_id: '0',
        concurrency: line.concurrency,
        config_path: line.configPath ?? '',
        config_yaml: line.configYaml ?? '',
        allow_unknown_static_fields: line.allowUnknownStaticFields,
        admin_address_path: line.adminAddressPath ?? '',
        local_address_ip_version: line.localAddressIpVersion,
        log_level: line.logLevel,
        component_log_level: line.componentLogLevel ?? '',
        log_format: line.logFormat ?? '',
        log_path: line.logPath ?? '',
        service_cluster: line.serviceCluster ?? '',
        service_node: line.serviceNode ?? '',
        service_zone: line.serviceZone ?? '',
        drain_time: `${line.drainTimeSeconds}s`,
        drain_strategy: line.drainStrategy === 'immediate' ? 'Immediate' : 'Gradual',
        parent_shutdown_time: `${line.parentShutdownTimeSeconds}s`,
        mode: line.mode === 'validate' ? 'Validate' : line.mode === 'init_only' ? 'InitOnly' : 'Serve',
        disable_hot_restart: true,
      },
      node: this.bootstrap.node,
      uptime_current_epoch: uptime,
      uptime_all_epochs: uptime,
    };
  }

  listeners(): Array<{ name: string; address: Address }> {
    return this.listenerManager.boundAddresses();
  }

  clusters(): Array<{ name: string; endpoints: Array<{ address: string; healthy: boolean }> }> {
    return this.clusterManager.all().map((cluster) => ({
      name: cluster.name,
      endpoints: cluster.endpoints.map((endpoint) => ({ address: addressText(endpoint.address), healthy: endpoint.healthy })),
    }));
  }

  quit(): void {
    this.log.info('main', 'shutting down server instance (quitquitquit)', 'source/server/admin/server_cmd_handler.cc:37');
    void this.stop().then(() => this.options.onExit?.(0));
  }

  drainListeners(inboundOnly: boolean, graceful: boolean): void {
    this.log.info('main', `draining listeners${inboundOnly ? ' (inbound only)' : ''}${graceful ? ' gracefully' : ''}`, 'source/server/admin/listeners_handler.cc:38');
    this.listenerManager.drainListeners(inboundOnly);
  }

  setHealthCheckFailed(failed: boolean): void {
    this.healthCheckFailed = failed;
    if (this.state === 'LIVE' && failed) this.setState('DRAINING');
    else if (this.state === 'DRAINING' && !failed) this.setState('LIVE');
  }
}
