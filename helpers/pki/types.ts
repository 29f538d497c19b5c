// The shapes other modules import from helpers/pki. Kept apart from the code so that callers can
// depend on them without pulling in the certificate builders.

/** A certificate and its private key, both PEM (the key as PKCS#8). */
export interface CertKeyPair {
  certPem: string;
  keyPem: string;
}

export type KeyType = 'rsa' | 'ecdsa';

export type ExtendedKeyUsageName = 'serverAuth' | 'clientAuth';
export type KeyUsageName = 'digitalSignature' | 'keyEncipherment' | 'keyCertSign' | 'cRLSign';

export interface IssueOptions {
  /** Attribute short names (C, ST, L, O, OU, CN, emailAddress) to values, in DN order. */
  subject: Record<string, string>;
  /** The CA that signs; absent means self-signed. */
  issuer?: CertKeyPair;
  /** Present makes a CA certificate; pathLength limits the CAs that may follow it. */
  ca?: { pathLength?: number };
  dnsNames?: string[];
  ipAddresses?: string[];
  extendedKeyUsage?: ExtendedKeyUsageName[];
  /** Default: keyCertSign and cRLSign for a CA, digitalSignature (and keyEncipherment for RSA) otherwise. */
  keyUsage?: KeyUsageName[];
  /** Default rsa, 2048 bits; ecdsa is P-256. */
  keyType?: KeyType;
  rsaBits?: number;
  /** Default now - 1 h .. now + 365 d; tests pass past dates to make expired certificates. */
  notBefore?: Date;
  notAfter?: Date;
}

export interface DocChain {
  host: string;
  root: CertKeyPair;
  intermediate: CertKeyPair;
  server: CertKeyPair;
  client: CertKeyPair;
  /** The doc's ca-chain.cert.pem: the intermediate, then the root. */
  caChainPem: string;
}

export interface DocChainOptions {
  /** Default httpbin.example.com. */
  host?: string;
  keyType?: KeyType;
  /** RSA size of the server and client keys (default 2048). */
  rsaBits?: number;
  /** RSA size of the root and intermediate keys (default: rsaBits; the doc uses 4096). */
  caRsaBits?: number;
  /** Put in front of the organisation and CA names, so a second chain has DNs of its own. */
  namePrefix?: string;
  /** The server certificate's end of validity (a past date makes an expired certificate). */
  serverNotAfter?: Date;
}

/** Absolute paths of the files of the doc's generate.sh layout. */
export interface DocLayout {
  dir: string;
  rootCert: string;
  rootKey: string;
  intermediateCert: string;
  intermediateKey: string;
  caChain: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** A certificate's fields as read back by Node's X509Certificate. */
export interface CertificateSummary {
  subject: Record<string, string>;
  issuer: Record<string, string>;
  /** Lowercase hex without leading zero bytes, as Envoy's /certs prints it. */
  serialNumber: string;
  dnsNames: string[];
  notBefore: Date;
  notAfter: Date;
}
