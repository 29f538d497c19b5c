// The xDS vocabulary: resource type URLs, the names resources go by, the discovery gRPC methods
// (taken from the loaded service protos), and their messages encoded with the same protobufjs Root.
import type * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { decodeToJson, encodeFromJson, envoyProtos, type Json, type JsonObject } from '../proto';

export const TYPE_URL = {
  listener: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  route: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  cluster: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  endpoint: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  secret: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
} as const;
export type TypeUrl = (typeof TYPE_URL)[keyof typeof TYPE_URL];

export const RESOURCE_WRAPPER = 'type.googleapis.com/envoy.service.discovery.v3.Resource';

/** The field holding a resource's name (ClusterLoadAssignment calls it cluster_name). */
export function resourceName(typeUrl: string, resource: JsonObject): string {
  const name = typeUrl === TYPE_URL.endpoint ? resource.cluster_name : resource.name;
  return typeof name === 'string' ? name : '';
}

/** SotW responses may wrap resources in envoy.service.discovery.v3.Resource (xds.config.resource-in-sotw). */
export function unwrapSotwResource(resource: JsonObject): JsonObject {
  if (resource['@type'] === RESOURCE_WRAPPER && typeof resource.resource === 'object' && resource.resource !== null) {
    return resource.resource as JsonObject;
  }
  return resource;
}

export type XdsMethodName = 'StreamAggregatedResources' | 'DeltaAggregatedResources' | 'StreamSecrets' | 'DeltaSecrets';

export interface XdsMethod {
  name: XdsMethodName;
  path: string;
  delta: boolean;
  requestType: protobuf.Type;
  responseType: protobuf.Type;
}

const SERVICES: Record<XdsMethodName, string> = {
  StreamAggregatedResources: 'envoy.service.discovery.v3.AggregatedDiscoveryService',
  DeltaAggregatedResources: 'envoy.service.discovery.v3.AggregatedDiscoveryService',
  StreamSecrets: 'envoy.service.secret.v3.SecretDiscoveryService',
  DeltaSecrets: 'envoy.service.secret.v3.SecretDiscoveryService',
};

export function xdsMethod(name: XdsMethodName): XdsMethod {
  const service = envoyProtos().lookupService(SERVICES[name]);
  const method = service.methods[name];
  if (!method) throw new Error(`${SERVICES[name]} has no method ${name}`);
  method.resolve();
  return {
    name,
    path: `/${SERVICES[name]}/${name}`,
    delta: name.startsWith('Delta'),
    requestType: method.resolvedRequestType!,
    responseType: method.resolvedResponseType!,
  };
}

/** Serializers for grpc-js: messages travel as proto3 JSON objects on both sides. */
export function jsonCodec(type: protobuf.Type): { serialize: (value: JsonObject) => Buffer; deserialize: (bytes: Buffer) => JsonObject } {
  return {
    serialize: (value) => Buffer.from(encodeFromJson(type, value as Json)),
    deserialize: (bytes) => decodeToJson(type, bytes),
  };
}

/** A grpc-js service definition for a discovery service, for servers (the tests' control plane). */
export function discoveryServiceDefinition(service: 'ads' | 'sds'): grpc.ServiceDefinition {
  const names: XdsMethodName[] = service === 'ads' ? ['StreamAggregatedResources', 'DeltaAggregatedResources'] : ['StreamSecrets', 'DeltaSecrets'];
  const definition: Record<string, grpc.MethodDefinition<JsonObject, JsonObject>> = {};
  for (const name of names) {
    const method = xdsMethod(name);
    const request = jsonCodec(method.requestType);
    const response = jsonCodec(method.responseType);
    definition[name] = {
      path: method.path,
      requestStream: true,
      responseStream: true,
      requestSerialize: request.serialize,
      requestDeserialize: request.deserialize,
      responseSerialize: response.serialize,
      responseDeserialize: response.deserialize,
    };
  }
  return definition;
}
