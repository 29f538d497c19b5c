// GET /config_dump: the ConfigDump Envoy prints (bootstrap, clusters, listeners, scoped routes,
// routes, secrets; endpoints with ?include_eds), ?resource= for one list of it, ?name_regex= to
// filter by name, and sensitive fields redacted as Envoy's admin does: private keys become
// "[redacted]" (base64 "W3JlZGFjdGVkXQ==" for bytes).
import { redactJson, requireMessageType, type Json, type JsonObject } from '../proto';

const ADMIN = 'type.googleapis.com/envoy.admin.v3';

export interface DumpParts {
  bootstrap: JsonObject;
  bootstrapUpdated: Date;
  clusters: JsonObject;
  listeners: JsonObject;
  routes: JsonObject;
  secrets: JsonObject;
  endpoints: JsonObject | null;
}

/** The element type of each list ?resource= can name. */
const RESOURCE_TYPES: Record<string, string> = {
  static_clusters: 'ClustersConfigDump.StaticCluster',
  dynamic_active_clusters: 'ClustersConfigDump.DynamicCluster',
  dynamic_warming_clusters: 'ClustersConfigDump.DynamicCluster',
  static_listeners: 'ListenersConfigDump.StaticListener',
  dynamic_listeners: 'ListenersConfigDump.DynamicListener',
  static_route_configs: 'RoutesConfigDump.StaticRouteConfig',
  dynamic_route_configs: 'RoutesConfigDump.DynamicRouteConfig',
  static_secrets: 'SecretsConfigDump.StaticSecret',
  dynamic_active_secrets: 'SecretsConfigDump.DynamicSecret',
  dynamic_warming_secrets: 'SecretsConfigDump.DynamicSecret',
  static_endpoint_configs: 'EndpointsConfigDump.StaticEndpointConfig',
  dynamic_endpoint_configs: 'EndpointsConfigDump.DynamicEndpointConfig',
};

export class ConfigDumpError extends Error {
  override name = 'ConfigDumpError';
}

/** Envoy leaves empty lists out of dumps. */
function withoutEmpty(object: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => !(Array.isArray(value) && value.length === 0) && value !== ''));
}

function itemName(item: JsonObject): string {
  for (const key of ['name', 'cluster', 'listener', 'route_config', 'secret', 'endpoint_config']) {
    const value = item[key];
    if (typeof value === 'string') return value;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const inner = (value as JsonObject).name ?? (value as JsonObject).cluster_name;
      if (typeof inner === 'string') return inner;
    }
  }
  return '';
}

export function configDump(parts: DumpParts, query: URLSearchParams): JsonObject {
  const dumps: Array<[string, JsonObject]> = [
    ['BootstrapConfigDump', { bootstrap: parts.bootstrap, last_updated: parts.bootstrapUpdated.toISOString() }],
    ['ClustersConfigDump', parts.clusters],
    ['ListenersConfigDump', parts.listeners],
    ['ScopedRoutesConfigDump', {}],
    ['RoutesConfigDump', parts.routes],
    ['SecretsConfigDump', parts.secrets],
  ];
  if (query.has('include_eds') && parts.endpoints) dumps.push(['EndpointsConfigDump', parts.endpoints]);
  let nameRegex: RegExp | null = null;
  const nameRegexText = query.get('name_regex');
  if (nameRegexText) {
    try {
      nameRegex = new RegExp(nameRegexText);
    } catch {
      throw new ConfigDumpError(`Error while parsing name_regex from ${nameRegexText}`);
    }
  }
  const resource = query.get('resource');
  if (resource) {
    const elementType = RESOURCE_TYPES[resource];
    if (!elementType) throw new ConfigDumpError(`${resource} not found in config dump`);
    const type = requireMessageType(`envoy.admin.v3.${elementType}`);
    const items = dumps.flatMap(([, dump]) => ((dump[resource] as JsonObject[] | undefined) ?? []));
    return {
      configs: items
        .filter((item) => !nameRegex || nameRegex.test(itemName(item)))
        .map((item) => ({ '@type': `${ADMIN}.${elementType}`, ...(redactJson(type, item as Json) as JsonObject) })),
    };
  }
  const configs = dumps.map(([typeName, dump]) => {
    const filtered = nameRegex
      ? Object.fromEntries(Object.entries(dump).map(([key, value]) => [key, Array.isArray(value) ? value.filter((item) => nameRegex!.test(itemName(item as JsonObject))) : value]))
      : dump;
    return { '@type': `${ADMIN}.${typeName}`, ...withoutEmpty(filtered as JsonObject) };
  });
  return redactJson(requireMessageType('envoy.admin.v3.ConfigDump'), { configs }) as JsonObject;
}
