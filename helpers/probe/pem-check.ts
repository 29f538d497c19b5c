// What is wrong with a CA, certificate or key file a person gave, in one line that names the file
// and the likely mistake (a certificate where the key belongs, a public key, an encrypted key…).
// The texts are only inspected, never quoted: a key's content never reaches a message.
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { UsageError } from '../config';

/** A PEM text and how to name it in a message (e.g. "--key 4_client/private/x.key.pem"). */
export interface NamedPem {
  text: string;
  name: string;
}

/** The PEM block types in a text, in order (CERTIFICATE, PRIVATE KEY, …). */
function pemTypes(text: string): string[] {
  return [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((match) => match[1]!);
}

function isKeyType(type: string): boolean {
  return /PRIVATE KEY$/.test(type);
}

/** No PEM at all: DER, or an empty or unrelated file. */
function noPem(file: NamedPem, wanted: string): UsageError {
  const hint = file.text.length === 0 ? 'it is empty' : /[^\x09\x0a\x0d\x20-\x7e]/.test(file.text) ? 'it looks binary (DER?): convert it with openssl x509 / openssl pkey -outform PEM' : 'it holds no PEM block';
  return new UsageError(`${file.name}: expected ${wanted} (PEM), but ${hint}`);
}

/** A private key file: one unencrypted PEM private key that Node can read. */
export function checkKeyPem(file: NamedPem): void {
  const types = pemTypes(file.text);
  if (types.length === 0) throw noPem(file, 'a private key');
  if (types.includes('ENCRYPTED PRIVATE KEY') || /Proc-Type: *4,ENCRYPTED/.test(file.text)) {
    throw new UsageError(`${file.name}: the private key is encrypted with a passphrase, which the probe cannot ask for; decrypt a copy with openssl pkey -in FILE -out PLAIN (and keep it mode 0600)`);
  }
  if (!types.some(isKeyType)) {
    if (types.includes('CERTIFICATE')) throw new UsageError(`${file.name}: holds a certificate, not a private key; were --cert and --key swapped? The key is in the layout's private/ folder`);
    if (types.some((type) => type.endsWith('PUBLIC KEY'))) throw new UsageError(`${file.name}: holds a public key; the probe needs the private key (the layout's private/*.key.pem)`);
    if (types.some((type) => type.includes('CERTIFICATE REQUEST'))) throw new UsageError(`${file.name}: holds a certificate request, not a private key`);
    throw new UsageError(`${file.name}: holds ${types.join(', ')}, not a private key`);
  }
  try {
    createPrivateKey(file.text);
  } catch (error) {
    throw new UsageError(`${file.name}: the private key cannot be read (${(error as Error).message})`);
  }
}

/** A certificate file (`what`: "a client certificate" or "CA certificates"): PEM certificates, no key. */
export function checkCertificatePem(file: NamedPem, what: string): void {
  const types = pemTypes(file.text);
  if (types.length === 0) throw noPem(file, what);
  if (!types.includes('CERTIFICATE')) {
    if (types.some(isKeyType)) throw new UsageError(`${file.name}: holds a private key, not ${what}; were --cert and --key swapped? Certificates are in the layout's certs/ folder`);
    throw new UsageError(`${file.name}: holds ${types.join(', ')}, not ${what}`);
  }
  try {
    new X509Certificate(file.text);
  } catch (error) {
    throw new UsageError(`${file.name}: the certificate cannot be read (${(error as Error).message})`);
  }
}

/**
 * The key must be the certificate's: OpenSSL takes a mismatched pair (an RSA certificate, an ECDSA
 * key) without complaint and then sends no certificate, which the server refuses as if the gateway
 * were at fault. Compared as public keys (SPKI DER), the key's derived from the private key.
 */
export function checkKeyMatchesCertificate(cert: NamedPem, key: NamedPem): void {
  const certificateKey = new X509Certificate(cert.text).publicKey.export({ type: 'spki', format: 'der' });
  const privateKey = createPrivateKey(key.text);
  const keysPublicHalf = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  if (!certificateKey.equals(keysPublicHalf)) {
    const kinds = `${new X509Certificate(cert.text).publicKey.asymmetricKeyType} certificate, ${privateKey.asymmetricKeyType} key`;
    throw new UsageError(`${cert.name} and ${key.name} do not belong together: the key is not the certificate's (${kinds}); give the key made with that certificate`);
  }
}

/** Every check of a probe's files at once: the CA bundle, and the client certificate and key as a pair. */
export function checkProbeFiles(files: { ca?: NamedPem; cert?: NamedPem; key?: NamedPem }): void {
  if (files.ca) checkCertificatePem(files.ca, 'CA certificates');
  if (files.cert) checkCertificatePem(files.cert, 'a client certificate');
  if (files.key) checkKeyPem(files.key);
  if (files.cert && files.key) checkKeyMatchesCertificate(files.cert, files.key);
}
