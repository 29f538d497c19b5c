// One Listener resource made ready to serve: its address, filter chains with their TLS contexts and
// HTTP connection managers (which acquire the secrets and routes they name), and what it waits for
// before it is warm. Building it throws for what Envoy would reject (the NACK reason).
import { readAddress, type Address } from '../address';
import type { ClusterManager } from '../config/clusters';
import type { RouteManager } from '../config/routes';
import type { SecretManager } from '../config/secrets';
import { HCM_TYPE, HttpConnectionManager } from '../http/connection-manager';
import { durationMs, type InitTarget } from '../init';
import type { Logger } from '../log';
import type { JsonObject } from '../proto';
import { listenerStatPrefix, type StatsStore } from '../stats';
import { DownstreamTlsContext } from '../tls/server-context';
import type { DrainDecision } from './drain';
import { checkDistinctMatches } from './filter-chain-match';

const TLS_INSPECTOR = 'type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector';
const DOWNSTREAM_TLS = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';
const RAW_BUFFER = 'type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer';

export interface ChainRuntime {
  config: JsonObject;
  name: string;
  tls: DownstreamTlsContext | null;
  hcm: HttpConnectionManager | null;
}

export interface ListenerDeps {
  secrets: SecretManager;
  routes: RouteManager;
  clusters: ClusterManager;
  stats: StatsStore;
  log: Logger;
  /** Called when a chain's TLS context took a new secret (SDS rotation). */
  onTlsUpdate: (listener: string) => void;
}

export class ListenerConfigError extends Error {
  override name = 'ListenerConfigError';
}

export class ListenerConfig {
  readonly name: string;
  readonly address: Address;
  readonly chains: ChainRuntime[] = [];
  readonly defaultChain: ChainRuntime | null = null;
  /** Every chain built, also one a failed build left half done (released by close()). */
  private readonly owned: ChainRuntime[] = [];
  readonly inspectTls: boolean;
  readonly statPrefix: string;
  readonly listenerFiltersTimeoutMs: number;

  constructor(
    readonly config: JsonObject,
    private readonly deps: ListenerDeps,
  ) {
    this.name = String(config.name ?? '');
    if (this.name === '') throw new ListenerConfigError('listener name cannot be empty');
    this.address = readAddress(config.address as JsonObject | undefined, `listener ${this.name}`);
    this.statPrefix = listenerStatPrefix(config);
    const filterChains = (config.filter_chains as JsonObject[] | undefined) ?? [];
    checkDistinctMatches(filterChains, this.name);
    this.inspectTls = ((config.listener_filters as JsonObject[] | undefined) ?? []).some(
      (filter) => filter.name === 'envoy.filters.listener.tls_inspector' || (filter.typed_config as JsonObject | undefined)?.['@type'] === TLS_INSPECTOR,
    );
    this.listenerFiltersTimeoutMs = durationMs(config.listener_filters_timeout) ?? 15_000;
    try {
      filterChains.forEach((chain, index) => this.chains.push(this.buildChain(chain, index)));
      if (config.default_filter_chain) this.defaultChain = this.buildChain(config.default_filter_chain as JsonObject, -1);
      if (this.chains.length === 0 && !this.defaultChain) throw new ListenerConfigError(`error adding listener '${this.name}': no filter chains specified`);
    } catch (error) {
      this.close();
      throw error;
    }
  }

  private buildChain(config: JsonObject, index: number): ChainRuntime {
    const name = typeof config.name === 'string' && config.name !== '' ? config.name : index < 0 ? 'default' : `chain ${index}`;
    const runtime: ChainRuntime = { config, name, tls: null, hcm: null };
    this.owned.push(runtime);
    const socket = config.transport_socket as JsonObject | undefined;
    const socketConfig = socket?.typed_config as JsonObject | undefined;
    if (socketConfig && socketConfig['@type'] === DOWNSTREAM_TLS) {
      const { '@type': _type, ...downstream } = socketConfig;
      runtime.tls = new DownstreamTlsContext(downstream, this.deps.secrets, () => this.deps.onTlsUpdate(this.name));
    } else if (socketConfig && socketConfig['@type'] !== RAW_BUFFER) {
      throw new ListenerConfigError(`error adding listener '${this.name}': unsupported transport socket ${String(socketConfig['@type'])}`);
    }
    for (const filter of (config.filters as JsonObject[] | undefined) ?? []) {
      const typed = filter.typed_config as JsonObject | undefined;
      if (typed?.['@type'] === HCM_TYPE && !runtime.hcm) {
        const { '@type': _type, ...hcm } = typed;
        runtime.hcm = new HttpConnectionManager(hcm, this.deps.routes, this.deps.clusters, this.deps.stats, this.deps.log);
      }
    }
    return runtime;
  }

  get initTargets(): InitTarget[] {
    const chains = [...this.chains, ...(this.defaultChain ? [this.defaultChain] : [])];
    return chains.flatMap((chain) => [...(chain.tls?.initTargets ?? []), ...(chain.hcm?.initTargets ?? [])]);
  }

  allChains(): ChainRuntime[] {
    return [...this.chains, ...(this.defaultChain ? [this.defaultChain] : [])];
  }

  drain(decision: DrainDecision): void {
    for (const chain of this.allChains()) chain.hcm?.drain(decision);
  }

  close(): void {
    for (const chain of this.owned) {
      chain.tls?.close();
      chain.hcm?.close();
    }
  }
}
