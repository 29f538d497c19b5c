// The pod runner's faults, as the decisions twin/pods asks for at the two places it acts as the
// kubelet: the readiness it reports for the catalogue's gateway, and the files it writes into the
// volumes of the catalogue's two secrets (ActiveFaults.objects). Pure, so each is tested without
// pods; the runner itself stays fault-free.
import { hasFault, type ActiveFaults } from './active';

/** A file of a volume, as twin/pods/volumes.ts plans it. */
export interface PlannedFile {
  path: string;
  data: Buffer;
  mode: number;
}

/** The catalogue's gateway pods carry the label its Gateway selects them by (istio: ingressgateway). */
function isCatalogueGateway(active: ActiveFaults, labels: Record<string, string> | undefined): boolean {
  return labels?.istio === active.objects.gatewaySelector;
}

/** gateway-not-ready: whether a container's readiness is reported false whatever its probe says. */
export function readinessFailed(active: ActiveFaults, podLabels: Record<string, string> | undefined): boolean {
  return hasFault(active, 'gateway-not-ready') && isCatalogueGateway(active, podLabels);
}

/** secret-not-mounted: whether a resync of this Secret's volume is skipped (the first mount is not). */
export function volumeSyncSkipped(active: ActiveFaults, secretName: string | undefined): boolean {
  return hasFault(active, 'secret-not-mounted') && secretName === active.objects.serverSecret;
}

/**
 * The files the kubelet stand-in writes for a secret volume under the active faults, or 'wait'
 * when a fault needs material the rehearsal has not made yet (the Secret's own pair must not be
 * written meanwhile).
 */
export function secretVolumeFiles(active: ActiveFaults, secretName: string | undefined, files: PlannedFile[]): PlannedFile[] | 'wait' {
  if (secretName === active.objects.serverSecret && hasFault(active, 'mounted-cert-other-serial') && hasFiles(files, 'tls.crt', 'tls.key')) {
    const other = active.material.otherServer;
    if (!other) return 'wait';
    return files.map((file) => (file.path === 'tls.crt' ? { ...file, data: Buffer.from(other.certPem) } : file.path === 'tls.key' ? { ...file, data: Buffer.from(other.keyPem) } : file));
  }
  if (secretName === active.objects.caSecret && hasFault(active, 'mounted-ca-chain-reversed')) {
    return files.map((file) => (file.path === active.objects.caKey ? { ...file, data: Buffer.from(reversedCertificates(file.data.toString('utf8'))) } : file));
  }
  return files;
}

function hasFiles(files: PlannedFile[], ...paths: string[]): boolean {
  return paths.every((p) => files.some((file) => file.path === p));
}

/** The PEM certificates of a bundle in reverse order (the root of the doc's chain first). */
export function reversedCertificates(pem: string): string {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
  return blocks
    .map((block) => (block.endsWith('\n') ? block : `${block}\n`))
    .reverse()
    .join('');
}
