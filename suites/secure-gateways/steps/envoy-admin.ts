// Envoy's admin /certs, reached as the doc's troubleshooting does but without curl (the proxy
// image may have none): `pilot-agent request GET certs` in the istio-proxy container.
import { exec, type KubeClient } from '../../../helpers/kube';

/** envoy.admin.v3.CertificateDetails as Envoy renders it (proto field names). */
export interface CertificateDetails {
  path?: string;
  serial_number?: string;
  subject_alt_names?: Array<{ dns?: string; uri?: string; ip_address?: string }>;
  /** A JSON string: it is a 64-bit integer in the proto. */
  days_until_expiration?: string;
  valid_from?: string;
  expiration_time?: string;
}

export interface CertificateEntry {
  ca_cert?: CertificateDetails[];
  cert_chain?: CertificateDetails[];
}

export async function envoyCerts(kube: KubeClient, namespace: string, pod: string, container: string): Promise<CertificateEntry[]> {
  const result = await exec(kube, { namespace, pod, container, command: ['pilot-agent', 'request', 'GET', 'certs'] });
  if (result.exitCode !== 0) throw new Error(`pilot-agent request GET certs exited ${result.exitCode}: ${result.stderr.trim().slice(0, 300)}`);
  let parsed: { certificates?: CertificateEntry[] };
  try {
    parsed = JSON.parse(result.stdout) as { certificates?: CertificateEntry[] };
  } catch {
    throw new Error(`/certs did not answer JSON: ${result.stdout.slice(0, 200)}`);
  }
  return parsed.certificates ?? [];
}

export function findServedCertificate(entries: CertificateEntry[], serial: string): CertificateDetails | undefined {
  return entries.flatMap((entry) => entry.cert_chain ?? []).find((details) => details.serial_number !== undefined && sameSerial(details.serial_number, serial));
}

/** Serials compare as numbers: Envoy prints unpadded lowercase hex, OpenSSL whole bytes. */
export function sameSerial(a: string, b: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/^0+/, '');
  return norm(a) === norm(b);
}
