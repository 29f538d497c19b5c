// Certificates with an ECDSA key on either side (subject or issuer), which node-forge cannot
// handle (its issue 532): built and signed by @peculiar/x509 on WebCrypto keys.
// @peculiar/x509's dependency injection (tsyringe) needs the Reflect metadata API loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto, type KeyObject } from 'node:crypto';
import { keyTypeOf } from './keys';
import { normalizePem, type CertificateProfile, type Signer } from './profile';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const webCryptoCurves: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** The WebCrypto algorithm that signs with this key: RSA PKCS#1 v1.5 or ECDSA, both over SHA-256. */
function signingAlgorithm(key: KeyObject): { importAs: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams; sign: webcrypto.Algorithm | webcrypto.EcdsaParams } {
  if (keyTypeOf(key) === 'rsa') {
    const rsa = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    return { importAs: rsa, sign: rsa };
  }
  const curve = key.asymmetricKeyDetails?.namedCurve ?? '';
  const namedCurve = webCryptoCurves[curve];
  if (namedCurve === undefined) throw new TypeError(`unsupported EC curve ${curve} (use P-256)`);
  return { importAs: { name: 'ECDSA', namedCurve }, sign: { name: 'ECDSA', hash: 'SHA-256' } as webcrypto.EcdsaParams };
}

const keyUsageFlags = {
  digitalSignature: x509.KeyUsageFlags.digitalSignature,
  keyEncipherment: x509.KeyUsageFlags.keyEncipherment,
  keyCertSign: x509.KeyUsageFlags.keyCertSign,
  cRLSign: x509.KeyUsageFlags.cRLSign,
} as const;

export async function buildX509Certificate(profile: CertificateProfile, subjectPublicKey: KeyObject, signer: Signer): Promise<string> {
  const spki = subjectPublicKey.export({ type: 'spki', format: 'der' });
  const subject = new x509.Name(profile.subject.map(({ oid, value, encoding }) => ({ [oid]: [{ [encoding]: value }] })));
  const subjectKeyId = await x509.SubjectKeyIdentifierExtension.create(spki);

  let issuer = subject;
  let authorityKeyId = subjectKeyId.keyId;
  if (signer.certPem !== undefined) {
    // The issuer's subject as encoded in its certificate, and its own key identifier.
    const issuerCert = new x509.X509Certificate(signer.certPem);
    issuer = issuerCert.subjectName;
    authorityKeyId =
      issuerCert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId ??
      (await x509.SubjectKeyIdentifierExtension.create(issuerCert.publicKey)).keyId;
  }

  const extensions: x509.Extension[] = [
    profile.ca ? new x509.BasicConstraintsExtension(true, profile.pathLength, true) : new x509.BasicConstraintsExtension(false),
    new x509.KeyUsagesExtension(profile.keyUsage.reduce((flags, usage) => flags | keyUsageFlags[usage], 0), true),
  ];
  if (profile.extendedKeyUsage.length > 0) {
    extensions.push(new x509.ExtendedKeyUsageExtension(profile.extendedKeyUsage.map((usage) => x509.ExtendedKeyUsage[usage])));
  }
  const altNames: x509.JsonGeneralNames = [
    ...profile.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...profile.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
  ];
  if (altNames.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(altNames));
  extensions.push(subjectKeyId, new x509.AuthorityKeyIdentifierExtension(authorityKeyId));

  const algorithm = signingAlgorithm(signer.privateKey);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: profile.serialHex,
    subject,
    issuer,
    notBefore: profile.notBefore,
    notAfter: profile.notAfter,
    publicKey: spki,
    signingKey: await signer.privateKey.toCryptoKey(algorithm.importAs, false, ['sign']),
    signingAlgorithm: algorithm.sign,
    extensions,
  });
  return normalizePem(cert.toString('pem'));
}
