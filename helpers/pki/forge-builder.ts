// RSA certificates: node-forge builds the TBSCertificate, Node's native crypto signs it.
// (forge's own RSA signing is pure JS: about 50 ms per signature with a 2048-bit key, 230 ms with
// 4096 bits here, against a few ms natively.) forge cannot encode EC keys (its issue 532).
import forge from 'node-forge';
import { sign, type KeyObject } from 'node:crypto';
import { normalizePem, type CertificateProfile, type Signer } from './profile';

// Exported by node-forge's x509 module but missing from @types/node-forge.
const getTBSCertificate = (forge.pki as unknown as { getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate;

const forgeStringTypes = {
  printableString: forge.asn1.Type.PRINTABLESTRING,
  ia5String: forge.asn1.Type.IA5STRING,
  utf8String: forge.asn1.Type.UTF8,
} as const;
const GENERAL_NAME_DNS = 2;
const GENERAL_NAME_IP = 7;

export function buildRsaCertificate(profile: CertificateProfile, subjectPublicKey: KeyObject, signer: Signer): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(subjectPublicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = profile.serialHex;
  cert.validity.notBefore = profile.notBefore;
  cert.validity.notAfter = profile.notAfter;
  // @types/node-forge types valueTagClass as an asn1.Class; forge reads it as the asn1.Type.
  const subject = profile.subject.map(({ oid, value, encoding }) => ({
    type: oid,
    value,
    valueTagClass: forgeStringTypes[encoding] as unknown as forge.asn1.Class,
  }));
  cert.setSubject(subject);

  let authorityKeyId: string; // binary string
  if (signer.certPem === undefined) {
    cert.setIssuer(subject);
    authorityKeyId = cert.generateSubjectKeyIdentifier().getBytes();
  } else {
    // The issuer's subject as encoded in its certificate, and its own key identifier.
    const issuer = forge.pki.certificateFromPem(signer.certPem);
    cert.setIssuer(issuer.subject.attributes);
    const issuerKeyId = (issuer.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | undefined)?.subjectKeyIdentifier;
    authorityKeyId = issuerKeyId !== undefined ? forge.util.hexToBytes(issuerKeyId) : issuer.generateSubjectKeyIdentifier().getBytes();
  }

  const extensions: object[] = [
    profile.ca
      ? { name: 'basicConstraints', critical: true, cA: true, ...(profile.pathLength !== undefined ? { pathLenConstraint: profile.pathLength } : {}) }
      : { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', critical: true, ...Object.fromEntries(profile.keyUsage.map((usage) => [usage, true])) },
  ];
  if (profile.extendedKeyUsage.length > 0) {
    extensions.push({ name: 'extKeyUsage', ...Object.fromEntries(profile.extendedKeyUsage.map((usage) => [usage, true])) });
  }
  const altNames = [
    ...profile.dnsNames.map((value) => ({ type: GENERAL_NAME_DNS, value })),
    ...profile.ipAddresses.map((ip) => ({ type: GENERAL_NAME_IP, ip })),
  ];
  if (altNames.length > 0) extensions.push({ name: 'subjectAltName', altNames });
  extensions.push({ name: 'subjectKeyIdentifier' }, { name: 'authorityKeyIdentifier', keyIdentifier: authorityKeyId });
  cert.setExtensions(extensions);

  // What forge's cert.sign() does, with the signature made natively.
  cert.signatureOid = cert.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption!;
  cert.tbsCertificate = getTBSCertificate(cert);
  const tbsDer = Buffer.from(forge.asn1.toDer(cert.tbsCertificate).getBytes(), 'binary');
  cert.signature = sign('sha256', tbsDer, signer.privateKey).toString('binary');
  return normalizePem(forge.pki.certificateToPem(cert));
}
