// For the stand-in's tests: what istiod generates for the doc's Gateway (testdata/istiod, made by
// istiod's own code), variants of it istiod would also generate, the bootstrap pilot-agent writes
// from tools/packaging/common/envoy_bootstrap.json, Envoy's command line as pilot-agent builds it,
// and secrets as pilot-agent's file SDS sends them.
import fs from 'node:fs';
import path from 'node:path';
import { anyToJson, OPAQUE_VALUE_KEY, requireMessageType, type JsonObject } from '../proto';
import { resourceName } from '../xds';

export const GATEWAY_LISTENER = '0.0.0.0_8443';
export const HTTPBIN_CLUSTER = 'outbound|8000||httpbin.default.svc.cluster.local';
export const CERT_SECRET = 'file-cert:/etc/istio/ingressgateway-certs/tls.crt~/etc/istio/ingressgateway-certs/tls.key';
export const ROOT_SECRET = 'file-root:/etc/istio/ingressgateway-ca-certs/ca-chain.cert.pem';
export const HOST = 'httpbin.example.com';

const TYPE = 'type.googleapis.com';
const TESTDATA = path.join(__dirname, '..', 'testdata', 'istiod');

export type IstiodFile = 'listeners-simple' | 'listeners-mutual' | 'routes' | 'clusters' | 'endpoints';

function istiodAnys(file: IstiodFile): Array<{ type_url: string; value: Uint8Array }> {
  const anyType = requireMessageType('google.protobuf.Any');
  return fs
    .readFileSync(path.join(TESTDATA, `${file}.any.b64`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => anyType.decode(Buffer.from(line, 'base64')) as unknown as { type_url: string; value: Uint8Array });
}

/** istiod's resources as its bytes: the fake control plane sends them unchanged. */
export function istiodRaw(file: IstiodFile): JsonObject[] {
  return istiodAnys(file).map((any) => {
    const decoded = anyToJson(any);
    const name = resourceName(any.type_url, decoded);
    return { '@type': any.type_url, [OPAQUE_VALUE_KEY]: Buffer.from(any.value).toString('base64'), name, cluster_name: name };
  });
}

/** istiod's resources decoded to proto3 JSON (Istio's own typed configs kept opaque), to change. */
export function istiodJson(file: IstiodFile): JsonObject[] {
  return istiodAnys(file).map((any) => {
    const { '@type': _type, ...resource } = anyToJson(any);
    return resource;
  });
}

/** A copy of istiod's listener JSON, changed by `change` (for variants istiod would also generate). */
function variant(listener: JsonObject, change: (copy: JsonObject) => void): JsonObject {
  const copy = structuredClone(listener);
  change(copy);
  return copy;
}

function tlsContexts(listener: JsonObject): JsonObject[] {
  return ((listener.filter_chains as JsonObject[]) ?? []).map((chain) => (chain.transport_socket as JsonObject).typed_config as JsonObject);
}

/** The listener on another port (as for a second Gateway server on that port). */
export function onPort(listener: JsonObject, port: number): JsonObject {
  return variant(listener, (copy) => {
    copy.name = `0.0.0.0_${port}`;
    copy.address = { socket_address: { address: '0.0.0.0', port_value: port } };
  });
}

/** Another file-mounted certificate pair (serverCertificate/privateKey elsewhere). */
export function withCertSecret(listener: JsonObject, name: string): JsonObject {
  return variant(listener, (copy) => {
    for (const context of tlsContexts(copy)) {
      const common = context.common_tls_context as JsonObject;
      (common.tls_certificate_sds_secret_configs as JsonObject[])[0]!.name = name;
    }
  });
}

/** credentialName instead of file paths: kubernetes://<name>(-cacert) from istiod over ADS (reference §4). */
export function withCredentialName(listener: JsonObject, credential: string): JsonObject {
  const ads: JsonObject = { ads: {}, resource_api_version: 'V3' };
  return variant(listener, (copy) => {
    for (const context of tlsContexts(copy)) {
      const common = context.common_tls_context as JsonObject;
      common.tls_certificate_sds_secret_configs = [{ name: `kubernetes://${credential}`, sds_config: ads }];
      const combined = common.combined_validation_context as JsonObject | undefined;
      if (combined) combined.validation_context_sds_secret_config = { name: `kubernetes://${credential}-cacert`, sds_config: ads };
    }
  });
}

/** tls_params as istiod writes them for minProtocolVersion / maxProtocolVersion / cipherSuites. */
export function withTlsParams(listener: JsonObject, params: JsonObject): JsonObject {
  return variant(listener, (copy) => {
    for (const context of tlsContexts(copy)) (context.common_tls_context as JsonObject).tls_params = params;
  });
}

/**
 * OPTIONAL_MUTUAL with subjectAltNames (or pins), as istiod writes it from the MUTUAL listener:
 * require_client_certificate false, the checks in combined_validation_context.default_validation_context.
 */
export function withOptionalClientChecks(listener: JsonObject, defaults: JsonObject): JsonObject {
  return variant(listener, (copy) => {
    for (const context of tlsContexts(copy)) {
      context.require_client_certificate = false;
      ((context.common_tls_context as JsonObject).combined_validation_context as JsonObject).default_validation_context = defaults;
    }
  });
}

/** An initial_fetch_timeout on the certificate's SDS config (istiod sets none: Envoy's 15 s), so tests need not wait 15 s. */
export function withSdsInitialFetchTimeout(listener: JsonObject, timeout: string): JsonObject {
  return variant(listener, (copy) => {
    for (const context of tlsContexts(copy)) {
      for (const sds of (context.common_tls_context as JsonObject).tls_certificate_sds_secret_configs as JsonObject[]) (sds.sds_config as JsonObject).initial_fetch_timeout = timeout;
    }
  });
}

/** A listener Envoy rejects: its filter chain twice (two chains with the same match). */
export function withDuplicateChain(listener: JsonObject): JsonObject {
  return variant(listener, (copy) => {
    const chains = copy.filter_chains as JsonObject[];
    copy.filter_chains = [...chains, structuredClone(chains[0]!)];
  });
}

/** httpbin's ClusterLoadAssignment as istiod writes it, pointing at a local server. */
export function httpbinEndpoints(address: string, port: number): JsonObject {
  return {
    cluster_name: HTTPBIN_CLUSTER,
    endpoints: [
      {
        locality: {},
        lb_endpoints: [
          {
            endpoint: { address: { socket_address: { address, port_value: port } } },
            health_status: 'HEALTHY',
            metadata: { filter_metadata: { istio: { workload: 'httpbin-abc;default;httpbin;;Kubernetes' } } },
            load_balancing_weight: 1,
          },
        ],
        load_balancing_weight: 1,
      },
    ],
  };
}

/** The gateway's xDS node as pilot-agent's bootstrap declares it. */
export function gatewayNode(): JsonObject {
  return {
    id: 'router~10.244.0.9~istio-ingressgateway-5d9f7c-abcde.istio-system~istio-system.svc.cluster.local',
    cluster: 'istio-ingressgateway.istio-system',
    locality: {},
    metadata: {
      CLUSTER_ID: 'Kubernetes',
      INSTANCE_IPS: '10.244.0.9',
      ISTIO_VERSION: '1.31-dev',
      LABELS: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
      NAMESPACE: 'istio-system',
      NODE_NAME: 'twin-node',
      SERVICE_ACCOUNT: 'istio-ingressgateway-service-account',
      WORKLOAD_NAME: 'istio-ingressgateway',
      UNPRIVILEGED_POD: 'true',
    },
  };
}

export interface BootstrapShape {
  xdsPath: string;
  sdsPath: string;
  /** GRPC (state of the world) or DELTA_GRPC, as ISTIO_DELTA_XDS chooses. */
  apiType: 'GRPC' | 'DELTA_GRPC';
  adminPort?: number;
  statusPort: number;
}

const pipeCluster = (name: string, pipePath: string): JsonObject => ({
  name,
  alt_stat_name: `${name};`,
  type: 'STATIC',
  connect_timeout: '1s',
  lb_policy: 'ROUND_ROBIN',
  typed_extension_protocol_options: {
    'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
      '@type': `${TYPE}/envoy.extensions.upstreams.http.v3.HttpProtocolOptions`,
      explicit_http_config: { http2_protocol_options: {} },
    },
  },
  load_assignment: { cluster_name: name, endpoints: [{ lb_endpoints: [{ endpoint: { address: { pipe: { path: pipePath } } } }] }] },
});

const localCluster = (name: string, port: number): JsonObject => ({
  name,
  alt_stat_name: `${name};`,
  type: 'STATIC',
  connect_timeout: '0.250s',
  lb_policy: 'ROUND_ROBIN',
  load_assignment: {
    cluster_name: name,
    endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { protocol: 'TCP', address: '127.0.0.1', port_value: port } } } }] }],
  },
});

const plainListener = (name: string, port: number, statPrefix: string, prefix: string, cluster: string): JsonObject => ({
  name,
  address: { socket_address: { protocol: 'TCP', address: '0.0.0.0', port_value: port } },
  ignore_global_conn_limit: true,
  bypass_overload_manager: true,
  filter_chains: [
    {
      filters: [
        {
          name: 'envoy.filters.network.http_connection_manager',
          typed_config: {
            '@type': `${TYPE}/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`,
            codec_type: 'AUTO',
            stat_prefix: statPrefix,
            route_config: { virtual_hosts: [{ name: 'backend', domains: ['*'], routes: [{ match: { prefix }, route: { cluster } }] }] },
            http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': `${TYPE}/envoy.extensions.filters.http.router.v3.Router` } }],
          },
        },
      ],
    },
  ],
});

/** pilot-agent's bootstrap (envoy_bootstrap.json rendered for the istioctl gateway), with test paths. */
export function gatewayBootstrap(shape: BootstrapShape): JsonObject {
  const adminPort = shape.adminPort ?? 15000;
  return {
    application_log_config: { log_format: { text_format: '%Y-%m-%dT%T.%fZ\t%l\tenvoy %n %g:%#\t%v\tthread=%t' } },
    node: gatewayNode(),
    layered_runtime: { layers: [{ name: 'global config', static_layer: {} }, { name: 'admin', admin_layer: {} }] },
    bootstrap_extensions: [
      {
        name: 'envoy.bootstrap.internal_listener',
        typed_config: {
          '@type': `${TYPE}/udpa.type.v1.TypedStruct`,
          type_url: `${TYPE}/envoy.extensions.bootstrap.internal_listener.v3.InternalListener`,
          value: { buffer_size_kb: 64 },
        },
      },
    ],
    stats_config: {
      use_all_default_tags: false,
      stats_tags: [{ tag_name: 'cluster_name', regex: '^cluster(\\.(.+);)' }],
      stats_matcher: {
        inclusion_list: {
          patterns: [
            { prefix: 'reporter=' },
            { prefix: 'cluster_manager' },
            { prefix: 'listener_manager' },
            { prefix: 'server' },
            { prefix: 'cluster.xds-grpc' },
            { prefix: 'wasm' },
            { suffix: 'rbac.allowed' },
            { suffix: 'rbac.denied' },
            { suffix: 'shadow_allowed' },
            { suffix: 'shadow_denied' },
            { safe_regex: { regex: 'vhost\\.*\\.route\\.*' } },
            { prefix: 'component' },
            { prefix: 'istio' },
            { prefix: 'listener' },
          ],
        },
      },
    },
    admin: {
      access_log: [{ name: 'envoy.access_loggers.file', typed_config: { '@type': `${TYPE}/envoy.extensions.access_loggers.file.v3.FileAccessLog`, path: '/dev/null' } }],
      profile_path: '/var/lib/istio/data/envoy.prof',
      address: { socket_address: { address: '127.0.0.1', port_value: adminPort } },
    },
    dynamic_resources: {
      lds_config: { ads: {}, initial_fetch_timeout: '0s', resource_api_version: 'V3' },
      cds_config: { ads: {}, initial_fetch_timeout: '0s', resource_api_version: 'V3' },
      ads_config: {
        api_type: shape.apiType,
        set_node_on_first_message_only: true,
        transport_api_version: 'V3',
        grpc_services: [{ envoy_grpc: { cluster_name: 'xds-grpc' } }],
      },
    },
    static_resources: {
      clusters: [
        localCluster('prometheus_stats', adminPort),
        localCluster('agent', shape.statusPort),
        pipeCluster('sds-grpc', shape.sdsPath),
        { ...pipeCluster('xds-grpc', shape.xdsPath), max_requests_per_connection: 1, upstream_connection_options: { tcp_keepalive: { keepalive_time: 300 } } },
      ],
      listeners: [
        plainListener('0.0.0.0_15090', 15090, 'stats', '/stats/prometheus', 'prometheus_stats'),
        plainListener('0.0.0.0_15021', 15021, 'agent', '/healthz/ready', 'agent'),
      ],
    },
    overload_manager: {
      resource_monitors: [
        {
          name: 'envoy.resource_monitors.global_downstream_max_connections',
          typed_config: {
            '@type': `${TYPE}/envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig`,
            max_active_downstream_connections: 2147483647,
          },
        },
      ],
    },
    deferred_stat_options: { enable_deferred_creation_stats: true },
  };
}

/** Envoy's command line as pilot-agent builds it (pkg/envoy/proxy.go), for a bootstrap at `configPath`. */
export function pilotAgentArgs(configPath: string): string[] {
  return [
    '-c',
    configPath,
    '--drain-time-s',
    '45',
    '--drain-strategy',
    'immediate',
    '--local-address-ip-version',
    'v4',
    '--file-flush-interval-msec',
    '1000',
    '--disable-hot-restart',
    '--allow-unknown-static-fields',
    '-l',
    'warning',
    '--component-log-level',
    'misc:error',
  ];
}

/** A Secret as pilot-agent's file SDS sends it (sdsservice.go toEnvoySecret). */
export function certificateSecret(certChainPem: string, keyPem: string): JsonObject {
  return {
    tls_certificate: {
      certificate_chain: { inline_bytes: Buffer.from(certChainPem).toString('base64') },
      private_key: { inline_bytes: Buffer.from(keyPem).toString('base64') },
    },
  };
}

export function rootSecret(caPem: string): JsonObject {
  return { validation_context: { trusted_ca: { inline_bytes: Buffer.from(caPem).toString('base64') } } };
}
