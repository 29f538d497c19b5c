// The four certificates of the doc's generate.sh (mtls-go-example): a root CA, an intermediate CA,
// the server certificate for the host and a client certificate, with the doc's subjects and days.
import { isIP } from 'node:net';
import { certifyKeyPair } from './issue';
import { DEFAULT_RSA_BITS, newKeyPair } from './keys';
import type { DocRole } from './layout';
import { DAY_MS } from './profile';
import type { DocChain, DocChainOptions } from './types';

export const DEFAULT_HOST = 'httpbin.example.com';

/** Days of validity, as generate.sh gives them (-days). */
export const DOC_DAYS: Record<DocRole, number> = { root: 7300, intermediate: 3650, server: 375, client: 375 };

/**
 * The doc's subjects (C=US, ST=Denial, L=Springfield, O=Dis, CN=<host>). generate.sh gives the CAs
 * the host's CN too; here they get CNs of their own, so that an error names the right one.
 */
export function docSubjects(host: string, namePrefix = ''): { root: Record<string, string>; intermediate: Record<string, string>; leaf: Record<string, string> } {
  const base = { C: 'US', ST: 'Denial', L: 'Springfield', O: `${namePrefix}Dis` };
  return {
    root: { ...base, CN: `${namePrefix}${host} Root CA` },
    intermediate: { ...base, CN: `${namePrefix}${host} Intermediate CA` },
    leaf: { ...base, CN: host },
  };
}

export async function makeDocChain(options: DocChainOptions = {}): Promise<DocChain> {
  const host = options.host ?? DEFAULT_HOST;
  const keyType = options.keyType ?? 'rsa';
  const leafBits = options.rsaBits ?? DEFAULT_RSA_BITS;
  const caBits = options.caRsaBits ?? leafBits;
  const subjects = docSubjects(host, options.namePrefix);
  const now = Date.now();
  const daysFromNow = (days: number): Date => new Date(now + days * DAY_MS);

  // Key generation is the slow part: all four at once, on the libuv pool.
  const [rootKeys, intermediateKeys, serverKeys, clientKeys] = await Promise.all([
    newKeyPair(keyType, caBits),
    newKeyPair(keyType, caBits),
    newKeyPair(keyType, leafBits),
    newKeyPair(keyType, leafBits),
  ]);
  const root = await certifyKeyPair({ subject: subjects.root, ca: {}, notAfter: daysFromNow(DOC_DAYS.root) }, rootKeys);
  const intermediate = await certifyKeyPair(
    { subject: subjects.intermediate, issuer: root, ca: { pathLength: 0 }, notAfter: daysFromNow(DOC_DAYS.intermediate) },
    intermediateKeys,
  );
  // An IPv4 address as the host is an IP SAN: clients verify an address only against those (RFC 6125).
  const names = isIP(host) === 0 ? { dnsNames: [host] } : { ipAddresses: [host] };
  const leaf = { subject: subjects.leaf, issuer: intermediate, ...names };
  // With serverNotAfter the server certificate still spans the doc's 375 days, ending then.
  const serverValidity =
    options.serverNotAfter === undefined
      ? { notAfter: daysFromNow(DOC_DAYS.server) }
      : { notBefore: new Date(options.serverNotAfter.getTime() - DOC_DAYS.server * DAY_MS), notAfter: options.serverNotAfter };
  const [server, client] = await Promise.all([
    certifyKeyPair({ ...leaf, extendedKeyUsage: ['serverAuth'], ...serverValidity }, serverKeys),
    certifyKeyPair({ ...leaf, extendedKeyUsage: ['clientAuth'], notAfter: daysFromNow(DOC_DAYS.client) }, clientKeys),
  ]);
  return { host, root, intermediate, server, client, caChainPem: intermediate.certPem + root.certPem };
}
