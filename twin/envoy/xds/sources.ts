// Where config comes from, as the bootstrap says: the ADS stream (dynamic_resources.ads_config,
// GRPC for state of the world or DELTA_GRPC) and per-resource streams for an api_config_source,
// such as the SDS secrets Istio sends to the sds-grpc cluster (pilot-agent's socket).
import { grpcTarget, type Address } from '../address';
import type { Logger } from '../log';
import type { JsonObject } from '../proto';
import { faultTap } from '../../faults/xds-tap';
import { XdsMux } from './mux';
import type { XdsMethodName } from './protocol';

export class ConfigSourceError extends Error {
  override name = 'ConfigSourceError';
}

export interface SourceOptions {
  node: JsonObject;
  adsConfig: JsonObject | null;
  log: Logger;
  /** The address of a static cluster (xds-grpc, sds-grpc), or null if there is none. */
  staticClusterAddress: (name: string) => Address | null;
  /** The twin's active-faults file (TWIN_FAULTS_FILE), read by each stream's fault tap. */
  faultsFile?: string;
}

/** The cluster an ApiConfigSource's first gRPC service names. */
function grpcCluster(apiConfigSource: JsonObject): string {
  const services = (apiConfigSource.grpc_services as JsonObject[] | undefined) ?? [];
  const envoyGrpc = services[0]?.envoy_grpc as JsonObject | undefined;
  if (!envoyGrpc || typeof envoyGrpc.cluster_name !== 'string') {
    throw new ConfigSourceError('API configs must have either a gRPC service or a cluster name defined (only envoy_grpc is supported here)');
  }
  return envoyGrpc.cluster_name;
}

export class ConfigSources {
  readonly ads: XdsMux | null;
  private readonly muxes: XdsMux[] = [];
  private started = false;

  constructor(private readonly options: SourceOptions) {
    this.ads = options.adsConfig ? this.mux(options.adsConfig, 'ads') : null;
  }

  /** A stream of its own for one SDS subscription with an api_config_source (as Envoy opens one per secret). */
  secretStream(apiConfigSource: JsonObject): XdsMux {
    const mux = this.mux(apiConfigSource, 'sds');
    if (this.started) mux.start();
    return mux;
  }

  private mux(apiConfigSource: JsonObject, service: 'ads' | 'sds'): XdsMux {
    const apiType = String(apiConfigSource.api_type ?? 'GRPC');
    if (apiType !== 'GRPC' && apiType !== 'DELTA_GRPC' && apiType !== 'AGGREGATED_GRPC' && apiType !== 'AGGREGATED_DELTA_GRPC') {
      throw new ConfigSourceError(`api_type ${apiType} is not supported (only gRPC)`);
    }
    const delta = apiType.includes('DELTA');
    const method: XdsMethodName = service === 'ads' ? (delta ? 'DeltaAggregatedResources' : 'StreamAggregatedResources') : delta ? 'DeltaSecrets' : 'StreamSecrets';
    const clusterName = grpcCluster(apiConfigSource);
    const address = this.options.staticClusterAddress(clusterName);
    if (!address) throw new ConfigSourceError(`${clusterName} must be a static cluster with an address to be used as a gRPC config source`);
    const mux = new XdsMux({
      method,
      target: grpcTarget(address),
      clusterName,
      node: this.options.node,
      setNodeOnFirstMessageOnly: apiConfigSource.set_node_on_first_message_only === true,
      log: this.options.log,
      tap: faultTap(this.options.faultsFile, { delta }, (line) => this.options.log.debug('config', line)),
    });
    this.muxes.push(mux);
    return mux;
  }

  start(): void {
    this.started = true;
    for (const mux of this.muxes) mux.start();
  }

  stop(): void {
    for (const mux of this.muxes) mux.stop();
  }

  release(mux: XdsMux): void {
    mux.stop();
    const at = this.muxes.indexOf(mux);
    if (at >= 0) this.muxes.splice(at, 1);
  }
}
