// What the gateway's Envoy (the stand-in) holds, read from the admin JSON pilot-agent relays
// (`pilot-agent request GET config_dump` / `certs`), reduced to what the twin tests assert on:
// the TLS filter chain for a server name and the certificates in use. Shapes: docs/xds-shapes.md.

type Json = Record<string, any>;

export interface TlsChainView {
  listener: string;
  serverNames: string[];
  /** DownstreamTlsContext.require_client_certificate (absent means false). */
  requireClientCertificate: boolean;
  /** SDS names of the server certificate(s), e.g. file-cert:<cert>~<key>. */
  certificateSecrets: string[];
  /** SDS name of the client CA (combined_validation_context), e.g. file-root:<ca file>. */
  validationSecret?: string;
  /** The HTTP connection manager's RDS route configuration. */
  routeConfigName?: string;
}

function dumpOf(dump: Json, type: string): Json | undefined {
  return (dump.configs as Json[] | undefined)?.find((config) => config['@type'] === `type.googleapis.com/envoy.admin.v3.${type}`);
}

/** The filter chain that serves `serverName` (SNI), from the listeners the stand-in took in. */
export function tlsChainFor(dump: Json, serverName: string): TlsChainView | undefined {
  for (const entry of (dumpOf(dump, 'ListenersConfigDump')?.dynamic_listeners ?? []) as Json[]) {
    const listener = entry.active_state?.listener as Json | undefined;
    for (const chain of (listener?.filter_chains ?? []) as Json[]) {
      const serverNames = (chain.filter_chain_match?.server_names ?? []) as string[];
      if (!serverNames.includes(serverName)) continue;
      const tls = chain.transport_socket?.typed_config as Json | undefined;
      const common = (tls?.common_tls_context ?? {}) as Json;
      const hcm = ((chain.filters ?? []) as Json[]).find((f) => f.name === 'envoy.filters.network.http_connection_manager')?.typed_config as Json | undefined;
      return {
        listener: listener!.name as string,
        serverNames,
        requireClientCertificate: tls?.require_client_certificate === true,
        certificateSecrets: ((common.tls_certificate_sds_secret_configs ?? []) as Json[]).map((c) => c.name as string),
        validationSecret: common.combined_validation_context?.validation_context_sds_secret_config?.name as string | undefined,
        routeConfigName: hcm?.rds?.route_config_name as string | undefined,
      };
    }
  }
  return undefined;
}

/** The names of the secrets the stand-in holds (SecretsConfigDump.dynamic_active_secrets). */
export function activeSecretNames(dump: Json): string[] {
  return ((dumpOf(dump, 'SecretsConfigDump')?.dynamic_active_secrets ?? []) as Json[]).map((s) => s.name as string);
}

/**
 * The distinct serial numbers /certs shows: server certificates and client CAs of the TLS contexts
 * alive. As Envoy's, /certs also lists the contexts of draining filter chains, so after a listener
 * update the same certificate can appear once per context.
 */
export function certSerials(certs: Json): { certChain: string[]; caCert: string[] } {
  const entries = (certs.certificates ?? []) as Json[];
  const distinct = (field: string) => [...new Set(entries.flatMap((e) => ((e[field] ?? []) as Json[]).map((c) => c.serial_number as string)))];
  return { certChain: distinct('cert_chain'), caCert: distinct('ca_cert') };
}
