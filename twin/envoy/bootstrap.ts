// The bootstrap Envoy reads at start (pilot-agent writes /etc/istio/proxy/envoy-rev.json from
// tools/packaging/common/envoy_bootstrap.json): -c as JSON or YAML, merged with --config-yaml as
// protobuf MergeFrom would (objects merged, lists appended), node overrides from the command line,
// and field names normalised to the proto's. Unknown fields fail unless
// --allow-unknown-static-fields (which pilot-agent passes) turns them into warnings.
import fs from 'node:fs';
import YAML from 'yaml';
import { readAddress, type Address } from './address';
import type { CommandLine } from './command-line';
import type { LogFormat } from './log';
import { normaliseJson, requireMessageType, type Json, type JsonObject } from './proto';

export interface Bootstrap {
  json: JsonObject;
  node: JsonObject;
  adminAddress: Address | null;
  staticListeners: JsonObject[];
  staticClusters: JsonObject[];
  staticSecrets: JsonObject[];
  /** dynamic_resources: lds_config, cds_config (ConfigSource) and ads_config (ApiConfigSource). */
  ldsConfig: JsonObject | null;
  cdsConfig: JsonObject | null;
  adsConfig: JsonObject | null;
  statsConfig: JsonObject | undefined;
  logFormat: LogFormat | null;
  /** Fields the protos do not know (ignored with --allow-unknown-static-fields). */
  unknownFields: string[];
}

export class BootstrapError extends Error {
  override name = 'BootstrapError';
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseConfigText(text: string, origin: string, yaml: boolean): JsonObject {
  let parsed: unknown;
  try {
    parsed = yaml ? YAML.parse(text) : JSON.parse(text);
  } catch (error) {
    throw new BootstrapError(`Unable to parse JSON as proto (${origin}): ${(error as Error).message}`);
  }
  if (!isObject(parsed)) throw new BootstrapError(`${origin}: the bootstrap must be an object`);
  return parsed;
}

/** protobuf MergeFrom on JSON: nested objects merged, lists appended, scalars and Anys replaced. */
export function mergeJson(base: JsonObject, overlay: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    const current = out[key];
    if (Array.isArray(current) && Array.isArray(value)) out[key] = [...current, ...value];
    else if (isObject(current) && isObject(value) && !('@type' in value)) out[key] = mergeJson(current, value);
    else out[key] = value;
  }
  return out;
}

export function loadBootstrap(commandLine: CommandLine, readFile: (path: string) => string = (path) => fs.readFileSync(path, 'utf8')): Bootstrap {
  let raw: JsonObject = {};
  if (commandLine.configPath) {
    let text: string;
    try {
      text = readFile(commandLine.configPath);
    } catch (error) {
      throw new BootstrapError(`unable to read file: ${commandLine.configPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    raw = parseConfigText(text, commandLine.configPath, /\.ya?ml$/i.test(commandLine.configPath));
  }
  if (commandLine.configYaml) raw = mergeJson(raw, parseConfigText(commandLine.configYaml, '--config-yaml', true));
  if (!commandLine.configPath && !commandLine.configYaml) throw new BootstrapError('At least one of --config-path or --config-yaml or Options::configProto() should be non-empty');

  const unknownFields: string[] = [];
  const json = normaliseJson(requireMessageType('envoy.config.bootstrap.v3.Bootstrap'), raw as Json, (path) => unknownFields.push(path)) as JsonObject;
  if (unknownFields.length > 0 && !commandLine.allowUnknownStaticFields) {
    throw new BootstrapError(`Protobuf message (type envoy.config.bootstrap.v3.Bootstrap) has unknown fields: ${unknownFields.join(', ')}`);
  }

  const node: JsonObject = isObject(json.node) ? { ...json.node } : {};
  if (commandLine.serviceCluster) node.cluster = commandLine.serviceCluster;
  if (commandLine.serviceNode) node.id = commandLine.serviceNode;
  if (commandLine.serviceZone) node.locality = { ...(isObject(node.locality) ? node.locality : {}), zone: commandLine.serviceZone };

  const admin = isObject(json.admin) ? json.admin : {};
  const staticResources = isObject(json.static_resources) ? json.static_resources : {};
  const dynamic = isObject(json.dynamic_resources) ? json.dynamic_resources : {};
  const list = (value: Json | undefined): JsonObject[] => (Array.isArray(value) ? value.filter(isObject) : []);

  return {
    json: { ...json, node },
    node,
    adminAddress: isObject(admin.address) ? readAddress(admin.address, 'admin.address') : null,
    staticListeners: list(staticResources.listeners),
    staticClusters: list(staticResources.clusters),
    staticSecrets: list(staticResources.secrets),
    ldsConfig: isObject(dynamic.lds_config) ? dynamic.lds_config : null,
    cdsConfig: isObject(dynamic.cds_config) ? dynamic.cds_config : null,
    adsConfig: isObject(dynamic.ads_config) ? dynamic.ads_config : null,
    statsConfig: isObject(json.stats_config) ? json.stats_config : undefined,
    logFormat: readLogFormat(json, commandLine),
    unknownFields,
  };
}

function readLogFormat(json: JsonObject, commandLine: CommandLine): LogFormat | null {
  const format = (json.application_log_config as JsonObject | undefined)?.log_format as JsonObject | undefined;
  if (format && typeof format.text_format === 'string') return { text: format.text_format };
  if (format && isObject(format.json_format)) {
    return { json: Object.fromEntries(Object.entries(format.json_format).map(([key, value]) => [key, String(value)])) };
  }
  return commandLine.logFormat ? { text: commandLine.logFormat } : null;
}
