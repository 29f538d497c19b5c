// Proto3 JSON both ways through Envoy's protos: the shapes istiod sends survive a round trip, the
// well-known types print as Envoy prints them, unknown Istio types stay opaque, and what the
// protos do not allow is refused with the field's path.
import { describe, expect, test } from '@jest/globals';
import { anyFromJson, anyToJson, decodeToJson, encodeFromJson, normaliseJson, OPAQUE_VALUE_KEY, ProtoJsonError, redactJson, requireMessageType, type JsonObject } from './index';
import fs from 'node:fs';
import path from 'node:path';
import { istiodJson, type IstiodFile } from '../testing/istio-gateway';

const LISTENER = 'type.googleapis.com/envoy.config.listener.v3.Listener';

function withoutType(resource: JsonObject): JsonObject {
  const { '@type': _type, ...rest } = resource;
  return rest;
}

/** Our JSON with each opaque Any replaced by Go's rendering of it: what is left must be equal. */
function withoutOpaque(ours: unknown, go: unknown): unknown {
  if (Array.isArray(ours)) return ours.map((item, index) => withoutOpaque(item, (go as unknown[] | undefined)?.[index]));
  if (typeof ours !== 'object' || ours === null) return ours;
  if (OPAQUE_VALUE_KEY in ours) return go;
  return Object.fromEntries(Object.entries(ours).map(([key, value]) => [key, withoutOpaque(value, (go as Record<string, unknown> | undefined)?.[key])]));
}

describe('proto3 JSON', () => {
  test("decodes istiod's bytes as Go's protojson prints them (Istio's own types aside, kept opaque)", () => {
    const files: IstiodFile[] = ['listeners-simple', 'listeners-mutual', 'routes', 'clusters', 'endpoints'];
    for (const file of files) {
      const goJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'testdata', 'istiod', `${file}.json`), 'utf8')) as JsonObject[];
      const ours = istiodJson(file);
      expect(ours).toHaveLength(goJson.length);
      ours.forEach((resource, index) => expect(withoutOpaque(resource, goJson[index]!)).toEqual(withoutType(goJson[index]!)));
    }
  });

  test("round-trips istiod's gateway listener, Istio's typed configs kept as opaque bytes", () => {
    const listener = { '@type': LISTENER, ...istiodJson('listeners-mutual')[0]! } as JsonObject;
    const any = anyFromJson(listener);
    expect(any.type_url).toBe(LISTENER);
    const back = anyToJson(any);
    expect(back).toEqual(listener);
  });

  test('well-known types: durations, wrappers, structs and enums as Envoy prints them', () => {
    const cluster = requireMessageType('envoy.config.cluster.v3.Cluster');
    const json = { ...istiodJson('clusters')[0]!, connect_timeout: '0.250s', per_connection_buffer_limit_bytes: 32768, respect_dns_ttl: true };
    const decoded = decodeToJson(cluster, encodeFromJson(cluster, json));
    expect(decoded.connect_timeout).toBe('0.250s');
    expect(decoded.per_connection_buffer_limit_bytes).toBe(32768);
    expect(decoded.type).toBe('EDS');
    expect((decoded.metadata as JsonObject).filter_metadata).toEqual({ istio: { services: [{ host: 'httpbin.default.svc.cluster.local', name: 'httpbin', namespace: 'default' }] } });
    expect(decoded.circuit_breakers).toEqual({ thresholds: [{ max_connections: 4294967295, max_pending_requests: 4294967295, max_requests: 4294967295, max_retries: 4294967295 }] });
  });

  test('an Any of a type not loaded keeps its bytes', () => {
    const opaque = anyToJson({ type_url: 'type.googleapis.com/stats.PluginConfig', value: Buffer.from([8, 1]) });
    expect(opaque).toEqual({ '@type': 'type.googleapis.com/stats.PluginConfig', [OPAQUE_VALUE_KEY]: 'CAE=' });
    expect(anyFromJson(opaque).value).toEqual(Buffer.from([8, 1]));
  });

  test('refuses unknown fields, bad enums and bad durations, naming the field', () => {
    const listener = requireMessageType('envoy.config.listener.v3.Listener');
    expect(() => encodeFromJson(listener, { name: 'x', colour: 'red' })).toThrow(new ProtoJsonError('Listener: unknown field "colour" in envoy.config.listener.v3.Listener'));
    expect(() => encodeFromJson(listener, { traffic_direction: 'SIDEWAYS' })).toThrow(/traffic_direction: unknown enum value SIDEWAYS/);
    expect(() => encodeFromJson(listener, { listener_filters_timeout: '5 minutes' })).toThrow(/listener_filters_timeout: expected a duration/);
  });

  test('normalises lowerCamelCase keys of hand-written JSON and reports unknown ones', () => {
    const unknown: string[] = [];
    const bootstrap = requireMessageType('envoy.config.bootstrap.v3.Bootstrap');
    const normalised = normaliseJson(bootstrap, { staticResources: { listeners: [{ name: 'l', additionalAddresses: [] }] }, surprise: 1 }, (path) => unknown.push(path));
    expect(normalised).toEqual({ static_resources: { listeners: [{ name: 'l', additional_addresses: [] }] } });
    expect(unknown).toEqual(['Bootstrap.surprise']);
  });

  test('redacts sensitive fields (private keys) as "[redacted]"', () => {
    const secret = requireMessageType('envoy.extensions.transport_sockets.tls.v3.Secret');
    const redacted = redactJson(secret, {
      name: 's',
      tls_certificate: { certificate_chain: { inline_bytes: 'Y2VydA==' }, private_key: { inline_bytes: 'a2V5' } },
    });
    expect(redacted).toEqual({ name: 's', tls_certificate: { certificate_chain: { inline_bytes: 'Y2VydA==' }, private_key: { inline_bytes: 'W3JlZGFjdGVkXQ==' } } });
  });
});
