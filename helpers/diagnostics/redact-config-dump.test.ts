// Redaction of a realistic Envoy /config_dump: Istio's listener for the doc's gateway (as istiod
// generates it, twin/envoy/testdata), an inline TLS context, and the SDS secrets as a dump that
// does not redact would carry them, with real PEMs from helpers/pki, keys included.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { certificateSummary, makeDocChain, type DocChain } from '../pki';
import { keyScanner, type KeyScanner } from './key-scan';
import { redactConfigDump, type CertificateFacts } from './redact-config-dump';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const istiodListeners = JSON.parse(readFileSync(path.resolve(__dirname, '../../twin/envoy/testdata/istiod/listeners-mutual.json'), 'utf8')) as unknown[];

function realisticDump(chain: DocChain): unknown {
  const secret = (name: string, body: Record<string, unknown>) => ({
    name,
    version_info: '2026-12-07T10:00:00Z/3',
    last_updated: '2026-12-07T10:00:00.000Z',
    secret: { '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret', name, ...body },
  });
  return {
    configs: [
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.BootstrapConfigDump',
        bootstrap: { node: { id: 'router~10.244.0.7~istio-ingressgateway-5c9d8.istio-system~istio-system.svc.cluster.local', cluster: 'istio-ingressgateway.istio-system' }, admin: { address: { socket_address: { address: '127.0.0.1', port_value: 15000 } } } },
        last_updated: '2026-12-07T09:59:00.000Z',
      },
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump',
        dynamic_listeners: [
          ...istiodListeners.map((listener) => ({ name: (listener as { name: string }).name, active_state: { version_info: '3', listener, last_updated: '2026-12-07T10:00:00.000Z' } })),
          {
            name: 'inline-tls',
            active_state: {
              listener: {
                '@type': 'type.googleapis.com/envoy.config.listener.v3.Listener',
                name: 'inline-tls',
                filter_chains: [
                  {
                    transport_socket: {
                      name: 'envoy.transport_sockets.tls',
                      typed_config: {
                        '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
                        common_tls_context: { tls_certificates: [{ certificate_chain: { inline_string: chain.server.certPem }, private_key: { inline_string: chain.server.keyPem } }] },
                      },
                    },
                  },
                ],
              },
            },
          },
        ],
      },
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump',
        dynamic_route_configs: [{ route_config: { name: 'https.443', virtual_hosts: [{ name: 'blackhole', routes: [{ match: { prefix: '/' }, direct_response: { status: 404, body: { inline_string: 'no route for this host' } } }] }] } }],
      },
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.SecretsConfigDump',
        dynamic_active_secrets: [
          secret('file-cert:/etc/istio/ingressgateway-certs/tls.crt~/etc/istio/ingressgateway-certs/tls.key', {
            tls_certificate: { certificate_chain: { inline_bytes: b64(chain.server.certPem) }, private_key: { inline_bytes: b64(chain.server.keyPem) } },
          }),
          secret('file-root:/etc/istio/ingressgateway-ca-certs/ca-chain.cert.pem', { validation_context: { trusted_ca: { inline_bytes: b64(chain.caChainPem) } } }),
          secret('default', { tls_certificate: { certificate_chain: { inline_bytes: b64(chain.client.certPem) }, private_key: { inline_bytes: b64(chain.client.keyPem) }, password: { inline_string: 'hunter2' } } }),
          secret('hmac', { generic_secret: { secret: { inline_bytes: b64('a generic secret value') } } }),
        ],
      },
    ],
  };
}

let chain: DocChain;
let scanner: KeyScanner;

beforeAll(async () => {
  chain = await makeDocChain({ host: 'httpbin.example.com' });
  scanner = keyScanner([
    { label: 'server key', pem: chain.server.keyPem },
    { label: 'client key', pem: chain.client.keyPem },
    { label: 'root key', pem: chain.root.keyPem },
    { label: 'intermediate key', pem: chain.intermediate.keyPem },
  ]);
}, 60_000);

// Text checks are booleans: a failure must not print a dump that may hold a key.
describe('redactConfigDump', () => {
  test('the unredacted dump holds the keys in several forms (the scan sees them)', () => {
    const text = JSON.stringify(realisticDump(chain), null, 2);
    const findings = scanner.findings(text);
    expect(findings).toEqual(expect.arrayContaining(['the words PRIVATE KEY (a PEM private key armour)', "the server key's PEM file in base64", "the client key's PEM file in base64"]));
  });

  test('private keys, passwords and generic secrets become [redacted]; certificates become their facts', () => {
    const { dump, secretFields, certificateSources } = redactConfigDump(realisticDump(chain));
    const text = JSON.stringify(dump, null, 2);
    expect(scanner.findings(text)).toEqual([]);
    expect(text.includes('hunter2')).toBe(false);
    expect(text.includes(b64('a generic secret value'))).toBe(false);
    // Not even the public certificates' bytes: their facts stand in.
    expect(text.includes(b64(chain.server.certPem).slice(0, 40))).toBe(false);
    expect(text.includes('BEGIN CERTIFICATE')).toBe(false);
    expect(secretFields).toBe(5); // 3 private keys, 1 password, 1 generic secret
    expect(certificateSources).toBe(4);

    const secrets = ((dump as { configs: Array<Record<string, unknown>> }).configs[3]!.dynamic_active_secrets as Array<{ name: string; secret: Record<string, Record<string, unknown>> }>);
    const served = secrets[0]!.secret.tls_certificate!;
    expect(served.private_key === '[redacted]').toBe(true);
    const chainSource = served.certificate_chain as { inline_bytes: string; certificates: CertificateFacts[] };
    expect(chainSource.inline_bytes).toBe('[redacted]');
    const server = certificateSummary(chain.server.certPem);
    expect(chainSource.certificates).toEqual([
      expect.objectContaining({ subject: expect.stringContaining('CN=httpbin.example.com'), serialNumber: server.serialNumber, dnsNames: ['httpbin.example.com'], sha256Fingerprint: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/) }),
    ]);
    const trusted = (secrets[1]!.secret.validation_context!.trusted_ca as { certificates: CertificateFacts[] }).certificates;
    expect(trusted.map((facts) => facts.subject)).toEqual([expect.stringContaining('Intermediate CA'), expect.stringContaining('Root CA')]);
  });

  test('what is not secret stays: names, SNI, routes, a direct response body', () => {
    const { dump } = redactConfigDump(realisticDump(chain));
    const text = JSON.stringify(dump);
    expect(text.includes('no route for this host')).toBe(true);
    expect(text.includes('"server_names":["httpbin.example.com"]')).toBe(true);
    expect(text.includes('file-cert:/etc/istio/ingressgateway-certs/tls.crt~/etc/istio/ingressgateway-certs/tls.key')).toBe(true);
    expect(text.includes('"require_client_certificate":true')).toBe(true);
  });

  test('a PEM key outside any TLS field (an env var, a metadata string) is redacted by content', () => {
    const odd = { configs: [{ bootstrap: { node: { metadata: { NOTE: `here: ${chain.server.keyPem}`, BLOB: b64(chain.client.keyPem) } } } }] };
    const { dump, byContent } = redactConfigDump(odd);
    expect(byContent).toBe(2);
    expect(scanner.findings(JSON.stringify(dump))).toEqual([]);
  });
});
