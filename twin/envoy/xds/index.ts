// The xDS client side: discovery streams (SotW and Delta) and where they go.
export { XdsMux, type MuxOptions, type TypeWatch, type WatchCallbacks, type XdsResource, type XdsUpdate } from './mux';
export { TYPE_URL, discoveryServiceDefinition, jsonCodec, resourceName, xdsMethod, type TypeUrl, type XdsMethod, type XdsMethodName } from './protocol';
export { ConfigSources, ConfigSourceError, type SourceOptions } from './sources';
