// GET /certs in Envoy's current format (envoy.admin.v3.Certificates): one entry per TLS context in
// use, with the first certificate of each TLS certificate and of the trusted CA bundle (Envoy
// shows only the first, envoyproxy/envoy#4661), path "<inline>" for SDS-delivered data,
// serial_number in unpadded lowercase hex, subject_alt_names as objects, days_until_expiration as
// a JSON string, valid_from and expiration_time as RFC 3339. A context still waiting for a secret
// has no entry, as Envoy creates the context only when its secrets are ready.
import type { X509Certificate } from 'node:crypto';
import type { JsonObject } from '../proto';
import type { ServerTlsState } from '../tls/server-context';
import { subjectAltNameEntries } from '../tls/peer-verify';

const DAY_MS = 86_400_000;

function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.000Z$/, 'Z');
}

export function certificateDetails(certificate: X509Certificate, path: string, now = new Date()): JsonObject {
  const sans = subjectAltNameEntries(certificate).flatMap((san): JsonObject[] => {
    if (san.type === 'DNS') return [{ dns: san.value }];
    if (san.type === 'URI') return [{ uri: san.value }];
    if (san.type === 'IP Address') return [{ ip_address: san.value }];
    return [];
  });
  const days = Math.max(0, Math.floor((certificate.validToDate.getTime() - now.getTime()) / DAY_MS));
  return {
    path,
    serial_number: certificate.serialNumber.toLowerCase(),
    subject_alt_names: sans,
    days_until_expiration: String(days),
    valid_from: rfc3339(certificate.validFromDate),
    expiration_time: rfc3339(certificate.validToDate),
  };
}

export function certsResponse(states: ServerTlsState[], now = new Date()): JsonObject {
  return {
    certificates: states.map((state) => {
      const firstCa = state.validation?.trustedCas[0];
      return {
        ca_cert: firstCa ? [certificateDetails(firstCa, state.validation!.path, now)] : [],
        cert_chain: state.certificates.flatMap((certificate) => (certificate.chain[0] ? [certificateDetails(certificate.chain[0], certificate.path, now)] : [])),
      };
    }),
  };
}

/** Envoy's admin JSON: pretty printed with one-space indents, < and > escaped as protobuf does. */
export function adminJson(value: unknown): string {
  return `${JSON.stringify(value, null, 1).replace(/</g, '\\u003c').replace(/>/g, '\\u003e')}\n`;
}
