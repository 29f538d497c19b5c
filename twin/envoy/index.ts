// twin/envoy: the TypeScript stand-in for Envoy in the twin's gateway pod (see main.ts for the
// program pilot-agent starts, bin/envoy for its executable).
export { EnvoyStandIn, type ServerState, type StandInOptions } from './server';
export { parseCommandLine, versionText, ENVOY_VERSION, type CommandLine } from './command-line';
export { loadBootstrap, type Bootstrap } from './bootstrap';
export type { Address } from './address';
export type { BindOverride } from './listener/listener-manager';
export { TYPE_URL, discoveryServiceDefinition } from './xds';
export { anyFromJson, anyToJson, encodeFromJson, decodeToJson, type Json, type JsonObject } from './proto';
