// Envoy's protos, as @grpc/grpc-js-xds ships them under deps/, loaded once into a protobufjs Root:
// the xDS resources and the typed configs Istio puts in gateway listeners and the bootstrap. A type
// that is not loaded here stays an opaque Any (Istio's own filters, wasm, stats): carried, never
// interpreted, never a reason to reject a resource.
import fs from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';

/** Folders of the shipped protos, in import-resolution order; protobufjs's own dir has descriptor.proto. */
export function protoIncludeDirs(): string[] {
  const xdsPackage = path.dirname(require.resolve('@grpc/grpc-js-xds/package.json'));
  const deps = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((dir) => path.join(xdsPackage, 'deps', dir));
  return [...deps, path.dirname(require.resolve('protobufjs/package.json'))];
}

// The resources and admin dumps, then the typed configs a gateway's config carries. Each file pulls
// in its imports; keep the list to what Istio's gateway config and bootstrap actually contain.
const PROTO_FILES = [
  'envoy/service/discovery/v3/ads.proto',
  'envoy/service/secret/v3/sds.proto',
  'envoy/config/bootstrap/v3/bootstrap.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/transport_sockets/tls/v3/secret.proto',
  'envoy/extensions/transport_sockets/raw_buffer/v3/raw_buffer.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/http/cors/v3/cors.proto',
  'envoy/extensions/filters/http/fault/v3/fault.proto',
  'envoy/extensions/filters/http/grpc_stats/v3/config.proto',
  'envoy/extensions/filters/http/grpc_web/v3/grpc_web.proto',
  'envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto',
  'envoy/extensions/filters/listener/http_inspector/v3/http_inspector.proto',
  'envoy/extensions/filters/listener/original_dst/v3/original_dst.proto',
  'envoy/extensions/filters/listener/proxy_protocol/v3/proxy_protocol.proto',
  'envoy/extensions/access_loggers/file/v3/file.proto',
  'envoy/extensions/access_loggers/stream/v3/stream.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
  'envoy/extensions/resource_monitors/downstream_connections/v3/downstream_connections.proto',
  'envoy/extensions/bootstrap/internal_listener/v3/internal_listener.proto',
  'envoy/admin/v3/config_dump.proto',
  'envoy/admin/v3/certs.proto',
  'envoy/admin/v3/server_info.proto',
  'udpa/type/v1/typed_struct.proto',
  'xds/type/v3/typed_struct.proto',
];

let loaded: protobuf.Root | undefined;

/** The shared Root (loaded on first use, about half a second). */
export function envoyProtos(): protobuf.Root {
  if (loaded) return loaded;
  const dirs = protoIncludeDirs();
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    if (path.isAbsolute(target)) return target;
    for (const dir of dirs) {
      const candidate = path.join(dir, target);
      if (fs.existsSync(candidate)) return candidate;
    }
    return target;
  };
  root.loadSync(PROTO_FILES, { keepCase: true });
  root.resolveAll();
  loaded = root;
  return root;
}

/** The message type a type URL names, or null when it is not loaded (an opaque Any). */
export function messageTypeForUrl(typeUrl: string): protobuf.Type | null {
  return messageType(typeUrl.slice(typeUrl.lastIndexOf('/') + 1));
}

export function messageType(fullName: string): protobuf.Type | null {
  try {
    const found = envoyProtos().lookup(fullName.startsWith('.') ? fullName : `.${fullName}`);
    return found instanceof protobuf.Type ? found : null;
  } catch {
    return null;
  }
}

/** Like messageType, for names the code itself uses (a missing one is a bug, not input). */
export function requireMessageType(fullName: string): protobuf.Type {
  const type = messageType(fullName);
  if (!type) throw new Error(`proto message ${fullName} is not loaded`);
  return type;
}
