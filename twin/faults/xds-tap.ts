// The xDS/SDS faults: a tap on each stream between pilot-agent and the Envoy stand-in that rewrites,
// delays or withholds responses as a buggy control plane would send them, before the stand-in's
// Envoy logic sees them. The stand-in itself is unchanged: it obeys what arrives. Faults are read
// from the active-faults file at each response, so arming one needs no restart.
import type { JsonObject } from '../envoy/proto';
import { RESOURCE_WRAPPER, TYPE_URL } from '../envoy/xds/protocol';
import { activeFaultsReader, hasFault, type ActiveFaults } from './active';

const { listener: LISTENER, route: ROUTE, secret: SECRET } = TYPE_URL;

/** Passes a response on (now, later, changed) or not at all. */
export type XdsStreamTap = (response: JsonObject, deliver: (response: JsonObject) => void) => void;

/** The tap for one stream, or undefined when no faults file is configured (no cost at all then). */
export function faultTap(faultsFile: string | undefined, stream: { delta: boolean }, log: (line: string) => void): XdsStreamTap | undefined {
  if (!faultsFile) return undefined;
  const read = activeFaultsReader(faultsFile);
  const firstSeen = new Set<string>(); // type URLs whose first response has passed
  const delivered = new Map<string, Map<string, JsonObject>>(); // per type: what Envoy holds, by name
  let queue = Promise.resolve(); // delayed responses keep their order
  // Secrets delivered since the faults now in force were armed: a stream outlives rehearsals, and
  // a secret of an earlier run is not one this run's Envoy was given.
  let armedAs: ActiveFaults | undefined;
  const secretsSinceArmed = new Set<string>();
  return (response, deliver) => {
    const active = read();
    if (active !== armedAs) {
      armedAs = active;
      secretsSinceArmed.clear();
    }
    const typeUrl = String(response.type_url ?? '');
    const first = !firstSeen.has(typeUrl);
    firstSeen.add(typeUrl);
    const rewritten = rewriteResponse(response, active, stream.delta);
    const held = delivered.get(typeUrl) ?? new Map<string, JsonObject>();
    delivered.set(typeUrl, held);
    const withheld = typeUrl === SECRET ? secretWithholdReason(rewritten, active, secretsSinceArmed) : first ? undefined : withholdReason(typeUrl, rewritten, active, held, stream.delta);
    if (withheld) {
      log(`fault ${withheld}: withheld a ${typeUrl.split('.').pop()} push`);
      return;
    }
    remember(held, rewritten, stream.delta);
    if (typeUrl === SECRET) for (const entry of (rewritten.resources as JsonObject[] | undefined) ?? []) secretsSinceArmed.add(entryName(entry));
    const delayMs = first ? 0 : active.propagationDelayMs;
    queue = queue.then(() => (delayMs > 0 ? new Promise<void>((resolve) => setTimeout(resolve, delayMs)) : undefined)).then(() => deliver(rewritten));
  };
}

function withholdReason(typeUrl: string, response: JsonObject, active: ActiveFaults, held: Map<string, JsonObject>, delta: boolean): string | undefined {
  if (typeUrl !== LISTENER && typeUrl !== ROUTE) return undefined;
  if (hasFault(active, 'config-stuck')) return 'config-stuck';
  if (hasFault(active, 'cleanup-leaves-route') && takesAway(typeUrl, response, held, delta)) return 'cleanup-leaves-route';
  return undefined;
}

/** secret-updates-withheld: a push of secrets each already delivered under these faults (an update, not a first delivery). */
function secretWithholdReason(response: JsonObject, active: ActiveFaults, delivered: Set<string>): string | undefined {
  if (!hasFault(active, 'secret-updates-withheld')) return undefined;
  const names = ((response.resources as JsonObject[] | undefined) ?? []).map(entryName);
  return names.length > 0 && names.every((name) => delivered.has(name)) ? 'secret-updates-withheld' : undefined;
}

/** Whether a push would remove a listener or route configuration Envoy holds, or routes from one. */
function takesAway(typeUrl: string, response: JsonObject, held: Map<string, JsonObject>, delta: boolean): boolean {
  const incoming = new Map(((response.resources as JsonObject[] | undefined) ?? []).map((entry) => [entryName(entry), innerResource(entry)]));
  const removed = delta ? ((response.removed_resources as string[] | undefined) ?? []) : [...held.keys()].filter((name) => !incoming.has(name));
  if (removed.some((name) => held.has(name))) return true;
  if (typeUrl !== ROUTE) return false;
  return [...incoming].some(([name, next]) => held.has(name) && routeCount(next) < routeCount(held.get(name)!));
}

function routeCount(route: JsonObject): number {
  return ((route.virtual_hosts as JsonObject[] | undefined) ?? []).reduce((sum, host) => sum + ((host.routes as unknown[] | undefined)?.length ?? 0), 0);
}

function remember(held: Map<string, JsonObject>, response: JsonObject, delta: boolean): void {
  const entries = (response.resources as JsonObject[] | undefined) ?? [];
  if (!delta) held.clear();
  for (const name of (response.removed_resources as string[] | undefined) ?? []) held.delete(name);
  for (const entry of entries) held.set(entryName(entry), innerResource(entry));
}

/** Applies the active rewrite faults to every resource of a response. */
export function rewriteResponse(response: JsonObject, active: ActiveFaults, delta: boolean): JsonObject {
  if (active.faults.length === 0) return response;
  const typeUrl = String(response.type_url ?? '');
  const resources = (response.resources as JsonObject[] | undefined) ?? [];
  const dropped: string[] = [];
  const rewritten = resources.flatMap((entry) => {
    const changed = rewriteResource(typeUrl, innerResource(entry), active);
    if (changed === null) {
      dropped.push(entryName(entry));
      return [];
    }
    return [replaceInner(entry, changed)];
  });
  // A dropped resource is gone for Envoy: absent from a state of the world, removed in a delta.
  const next: JsonObject = { ...response, resources: rewritten };
  if (delta && dropped.length > 0) next.removed_resources = [...((response.removed_resources as string[] | undefined) ?? []), ...dropped];
  return next;
}

function rewriteResource(typeUrl: string, resource: JsonObject, active: ActiveFaults): JsonObject | null {
  if (typeUrl === SECRET) return rewriteSecret(resource, active);
  if (typeUrl === ROUTE) return rewriteRoute(resource, active);
  if (typeUrl === LISTENER) return rewriteListener(resource, active);
  return resource;
}

// The gateway's own credentials: files pilot-agent serves (file-cert:, file-root:) or secrets
// istiod serves for credentialName (kubernetes://<name>, its CA kubernetes://<name>-cacert).
const isGatewayCredential = (name: string) => name.startsWith('file-cert:') || name.startsWith('kubernetes://');
const isGatewayCa = (name: string) => name.startsWith('file-root:') || (name.startsWith('kubernetes://') && name.endsWith('-cacert'));

function rewriteSecret(secret: JsonObject, active: ActiveFaults): JsonObject {
  const name = String(secret.name ?? '');
  const { material } = active;
  if (isGatewayCredential(name) && secret.tls_certificate) {
    const substitute = hasFault(active, 'server-cert-wrong-host') ? material.wrongHost : hasFault(active, 'server-cert-self-signed') ? material.selfSigned : undefined;
    if (substitute) {
      return { ...secret, tls_certificate: { certificate_chain: inlineBytes(substitute.certPem), private_key: inlineBytes(substitute.keyPem) } };
    }
  }
  if (isGatewayCa(name) && secret.validation_context && hasFault(active, 'mutual-rejects-valid-client') && material.unrelatedCaPem) {
    return { ...secret, validation_context: { ...(secret.validation_context as JsonObject), trusted_ca: inlineBytes(material.unrelatedCaPem) } };
  }
  return secret;
}

function rewriteRoute(route: JsonObject, active: ActiveFaults): JsonObject {
  const missing = hasFault(active, 'route-missing');
  const leak = hasFault(active, 'route-leak');
  if (!missing && !leak) return route;
  const virtualHosts = ((route.virtual_hosts as JsonObject[] | undefined) ?? []).map((host) => {
    let routes = (host.routes as JsonObject[] | undefined) ?? [];
    const statusRoute = routes.find((r) => (r.match as JsonObject | undefined)?.prefix === '/status');
    if (missing) routes = routes.filter((r) => r !== statusRoute);
    if (leak && statusRoute) routes = [...routes, { ...statusRoute, match: { prefix: '/' }, name: 'fault-route-leak' }];
    return { ...host, routes };
  });
  return { ...route, virtual_hosts: virtualHosts };
}

function rewriteListener(listener: JsonObject, active: ActiveFaults): JsonObject | null {
  const chains = (listener.filter_chains as JsonObject[] | undefined) ?? [];
  const requiresClientCert = chains.some((chain) => tlsContext(chain)?.require_client_certificate === true);
  if (requiresClientCert && hasFault(active, 'mutual-port-closed')) return null;
  const edit = (tls: JsonObject): JsonObject => {
    let next = tls;
    if (hasFault(active, 'mutual-not-enforced') && next.require_client_certificate === true) next = { ...next, require_client_certificate: false };
    const common = (next.common_tls_context as JsonObject | undefined) ?? {};
    let nextCommon = common;
    if (hasFault(active, 'no-h2') && Array.isArray(common.alpn_protocols)) {
      nextCommon = { ...nextCommon, alpn_protocols: (common.alpn_protocols as string[]).filter((p) => p !== 'h2') };
    }
    if (hasFault(active, 'server-groups-pq-only')) {
      // As meshConfig.tlsDefaults.ecdhCurves (or an EnvoyFilter) would set it: only the hybrid
      // post-quantum group, which clients on OpenSSL before 3.5 do not offer.
      const params = (common.tls_params as JsonObject | undefined) ?? {};
      nextCommon = { ...nextCommon, tls_params: { ...params, ecdh_curves: ['X25519MLKEM768'] } };
    }
    const combined = common.combined_validation_context as JsonObject | undefined;
    if (hasFault(active, 'mutual-any-client-ca') && combined) {
      const defaults = (combined.default_validation_context as JsonObject | undefined) ?? {};
      nextCommon = { ...nextCommon, combined_validation_context: { ...combined, default_validation_context: { ...defaults, trust_chain_verification: 'ACCEPT_UNTRUSTED' } } };
    }
    return nextCommon === common ? next : { ...next, common_tls_context: nextCommon };
  };
  return {
    ...listener,
    filter_chains: chains.map((chain) => {
      const tls = tlsContext(chain);
      if (!tls) return chain;
      const transport = chain.transport_socket as JsonObject;
      return { ...chain, transport_socket: { ...transport, typed_config: edit(tls) } };
    }),
  };
}

function tlsContext(chain: JsonObject): JsonObject | undefined {
  const typed = (chain.transport_socket as JsonObject | undefined)?.typed_config as JsonObject | undefined;
  return typed && String(typed['@type']).endsWith('.DownstreamTlsContext') ? typed : undefined;
}

// SotW resources are Any (maybe wrapped in a discovery Resource); Delta ones are Resource messages.
function innerResource(entry: JsonObject): JsonObject {
  if (entry['@type'] === RESOURCE_WRAPPER || (entry.resource && typeof entry.resource === 'object')) return entry.resource as JsonObject;
  return entry;
}

function replaceInner(entry: JsonObject, inner: JsonObject): JsonObject {
  if (entry['@type'] === RESOURCE_WRAPPER || (entry.resource && typeof entry.resource === 'object')) return { ...entry, resource: inner };
  return inner;
}

function entryName(entry: JsonObject): string {
  const inner = innerResource(entry);
  return String(entry.name ?? inner.name ?? inner.cluster_name ?? '');
}

function inlineBytes(pem: string): JsonObject {
  return { inline_bytes: Buffer.from(pem).toString('base64') };
}
