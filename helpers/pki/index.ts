// helpers/pki: the doc's certificate chain (step SG-C1) and general-purpose certificate issuing.
export type {
  CertKeyPair,
  CertificateSummary,
  DocChain,
  DocChainOptions,
  DocLayout,
  ExtendedKeyUsageName,
  KeyUsageName,
  IssueOptions,
  KeyType,
} from './types';
export { issueCertificate, certifyKeyPair } from './issue';
export { makeDocChain, docSubjects, DEFAULT_HOST, DOC_DAYS } from './doc-chain';
export { writeDocLayout, docLayoutPaths, docFiles, type DocRole } from './layout';
export { checkLayoutTarget, replaceDocLayout, LAYOUT_FOLDERS } from './replace-layout';
export { certificateSummary, subjectAltNames } from './summary';
export { formatDn } from './names';
export { newKeyPair, type NativeKeyPair } from './keys';
