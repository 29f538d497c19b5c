// What goes into a certificate, decided once for both builders (node-forge for RSA, @peculiar/x509
// for ECDSA): validity, serial, and the extensions today's TLS stacks expect.
import { randomBytes, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { nameAttributes, type NameAttribute } from './names';
import type { ExtendedKeyUsageName, IssueOptions, KeyType, KeyUsageName } from './types';

export type { KeyUsageName };

export interface CertificateProfile {
  /** Hex, positive, 16 bytes. */
  serialHex: string;
  subject: NameAttribute[];
  notBefore: Date;
  notAfter: Date;
  /** basicConstraints: CA true (critical) or false; pathLength only on CAs. */
  ca: boolean;
  pathLength?: number;
  keyUsage: KeyUsageName[];
  extendedKeyUsage: ExtendedKeyUsageName[];
  dnsNames: string[];
  ipAddresses: string[];
}

const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
export const DEFAULT_VALIDITY_DAYS = 365;

/**
 * A random positive 128-bit serial. The first byte is kept in 0x10..0x7f: positive without a
 * padding byte, and with no leading zero digit, so every tool prints the same hex for it.
 */
export function randomSerialHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = 0x10 + (bytes[0]! % 0x70);
  return bytes.toString('hex');
}

export function certificateProfile(options: IssueOptions, subjectKeyType: KeyType, now: Date = new Date()): CertificateProfile {
  const notBefore = options.notBefore ?? new Date(now.getTime() - HOUR_MS);
  const notAfter = options.notAfter ?? new Date(now.getTime() + DEFAULT_VALIDITY_DAYS * DAY_MS);
  if (!(notBefore < notAfter)) throw new RangeError(`notBefore (${notBefore.toISOString()}) must be before notAfter (${notAfter.toISOString()})`);
  const pathLength = options.ca?.pathLength;
  if (pathLength !== undefined && !(Number.isInteger(pathLength) && pathLength >= 0)) {
    throw new RangeError(`ca.pathLength must be a whole number >= 0, not ${pathLength}`);
  }
  const ipAddresses = options.ipAddresses ?? [];
  const badIp = ipAddresses.find((ip) => isIP(ip) === 0);
  if (badIp !== undefined) throw new RangeError(`not an IP address: ${JSON.stringify(badIp)}`);

  const ca = options.ca !== undefined;
  // RSA key exchange (TLS 1.2 RSA suites) encrypts to the key; ECDSA keys only sign.
  const leafUsage: KeyUsageName[] = subjectKeyType === 'rsa' ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'];
  return {
    serialHex: randomSerialHex(),
    subject: nameAttributes(options.subject),
    notBefore,
    notAfter,
    ca,
    ...(ca && pathLength !== undefined ? { pathLength } : {}),
    keyUsage: options.keyUsage ?? (ca ? ['keyCertSign', 'cRLSign'] : leafUsage),
    extendedKeyUsage: [...new Set(options.extendedKeyUsage ?? [])],
    dnsNames: options.dnsNames ?? [],
    ipAddresses,
  };
}

/** Who signs: the issuer's certificate and private key; without a certificate, self-signed. */
export interface Signer {
  privateKey: KeyObject;
  certPem?: string;
}

/** PEM with LF line ends (node-forge writes CRLF; the doc's openssl files have LF). */
export function normalizePem(pem: string): string {
  return pem.replace(/\r\n/g, '\n').trimEnd() + '\n';
}
