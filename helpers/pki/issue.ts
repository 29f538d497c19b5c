// issueCertificate: one certificate with a fresh key, signed by an issuer or by itself.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { buildRsaCertificate } from './forge-builder';
import { keyTypeOf, newKeyPair, privateKeyPem, type NativeKeyPair } from './keys';
import { certificateProfile, type CertificateProfile, type Signer } from './profile';
import type { CertKeyPair, IssueOptions } from './types';
import { buildX509Certificate } from './x509-builder';

export async function issueCertificate(options: IssueOptions): Promise<CertKeyPair> {
  const keyType = options.keyType ?? 'rsa';
  const profile = certificateProfile(options, keyType); // a bad request fails before key generation
  return signProfile(profile, await newKeyPair(keyType, options.rsaBits), options.issuer);
}

/**
 * A certificate for a key pair made beforehand (makeDocChain makes all its keys at once, in
 * parallel); options.keyType and rsaBits are not used.
 */
export async function certifyKeyPair(options: IssueOptions, keys: NativeKeyPair): Promise<CertKeyPair> {
  return signProfile(certificateProfile(options, keyTypeOf(keys.publicKey)), keys, options.issuer);
}

/** RSA certificates signed by RSA keys are built with node-forge, any with an ECDSA key with @peculiar/x509. */
async function signProfile(profile: CertificateProfile, keys: NativeKeyPair, issuer: CertKeyPair | undefined): Promise<CertKeyPair> {
  const signer: Signer = issuer ? issuerSigner(issuer) : { privateKey: keys.privateKey };
  const certPem =
    keyTypeOf(keys.publicKey) === 'rsa' && keyTypeOf(signer.privateKey) === 'rsa'
      ? buildRsaCertificate(profile, keys.publicKey, signer)
      : await buildX509Certificate(profile, keys.publicKey, signer);
  return { certPem, keyPem: privateKeyPem(keys.privateKey) };
}

function issuerSigner(issuer: CertKeyPair): Signer {
  const privateKey = createPrivateKey(issuer.keyPem);
  // A mismatched pair would only show later, as a chain no verifier accepts.
  if (!new X509Certificate(issuer.certPem).checkPrivateKey(privateKey)) {
    throw new RangeError("the issuer's private key does not belong to the issuer's certificate");
  }
  return { privateKey, certPem: issuer.certPem };
}
