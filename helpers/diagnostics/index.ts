// helpers/diagnostics: the bundle written when a step fails (reports/<catalogue>/diagnostics/<step>/):
// the gateway's config dump with secrets redacted, proxy status, log tails, events, Secrets'
// metadata, the step's objects and the probe's observation, each part within a time budget, every
// file scanned for private key material before it is written.
export { writeBundle, DEFAULT_BUDGETS, type BundleRequest } from './bundle';
export { diagnosticsRoot, stepFolder, INDEX_FILE } from './paths';
export { keyScanner, base64Forms, type KeyScanner, type RunKey } from './key-scan';
export { redactConfigDump, certificateFacts, type CertificateFacts } from './redact-config-dump';
export { KeyMaterialFound, writeScanned } from './write';
export type { BundleIndex, Budgets, DiagnosticsTarget, PartEntry, PartStatus, StepOutcome } from './types';
