import { describe, expect, test } from '@jest/globals';
import { activeSecretNames, certSerials, tlsChainFor } from './gateway-view';

// A config_dump as the stand-in printed it for the doc's MUTUAL Gateway (1.31-dev), cut to the parts read.
const sds = { api_config_source: { api_type: 'GRPC', grpc_services: [{ envoy_grpc: { cluster_name: 'sds-grpc' } }] } };
const dump = {
  configs: [
    { '@type': 'type.googleapis.com/envoy.admin.v3.BootstrapConfigDump', bootstrap: {} },
    {
      '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump',
      static_listeners: [{ listener: { name: '0.0.0.0_15021' } }],
      dynamic_listeners: [
        {
          name: '0.0.0.0_8443',
          active_state: {
            listener: {
              name: '0.0.0.0_8443',
              filter_chains: [
                { filter_chain_match: { server_names: ['other.example.com'] }, filters: [] },
                {
                  filter_chain_match: { server_names: ['httpbin.example.com'] },
                  filters: [
                    {
                      name: 'envoy.filters.network.http_connection_manager',
                      typed_config: { rds: { route_config_name: 'https.443.https.httpbin-gateway.default' } },
                    },
                  ],
                  transport_socket: {
                    name: 'envoy.transport_sockets.tls',
                    typed_config: {
                      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
                      common_tls_context: {
                        tls_certificate_sds_secret_configs: [{ name: 'file-cert:/c/tls.crt~/c/tls.key', sds_config: sds }],
                        combined_validation_context: { default_validation_context: {}, validation_context_sds_secret_config: { name: 'file-root:/ca/ca.pem', sds_config: sds } },
                      },
                      require_client_certificate: true,
                    },
                  },
                },
              ],
            },
          },
        },
      ],
    },
    { '@type': 'type.googleapis.com/envoy.admin.v3.ScopedRoutesConfigDump' },
    { '@type': 'type.googleapis.com/envoy.admin.v3.SecretsConfigDump', dynamic_active_secrets: [{ name: 'file-cert:/c/tls.crt~/c/tls.key' }, { name: 'file-root:/ca/ca.pem' }] },
  ],
};

describe("reading the gateway's config_dump and /certs", () => {
  test('the TLS filter chain for a server name, with its SDS secret names and route', () => {
    expect(tlsChainFor(dump, 'httpbin.example.com')).toEqual({
      listener: '0.0.0.0_8443',
      serverNames: ['httpbin.example.com'],
      requireClientCertificate: true,
      certificateSecrets: ['file-cert:/c/tls.crt~/c/tls.key'],
      validationSecret: 'file-root:/ca/ca.pem',
      routeConfigName: 'https.443.https.httpbin-gateway.default',
    });
    expect(tlsChainFor(dump, 'other.example.com')).toMatchObject({ requireClientCertificate: false, certificateSecrets: [], validationSecret: undefined, routeConfigName: undefined });
    expect(tlsChainFor(dump, 'nope.example.com')).toBeUndefined();
    expect(tlsChainFor({ configs: [] }, 'httpbin.example.com')).toBeUndefined();
  });

  test('secret names and certificate serials', () => {
    expect(activeSecretNames(dump)).toEqual(['file-cert:/c/tls.crt~/c/tls.key', 'file-root:/ca/ca.pem']);
    expect(certSerials({ certificates: [{ ca_cert: [{ serial_number: 'ca1' }], cert_chain: [{ serial_number: 'ab12' }] }, { cert_chain: [{ serial_number: 'cd34' }] }] })).toEqual({ certChain: ['ab12', 'cd34'], caCert: ['ca1'] });
    expect(certSerials({ certificates: [] })).toEqual({ certChain: [], caCert: [] });
  });
});
