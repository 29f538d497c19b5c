// The gateway's Envoy config as Envoy itself reports it: admin /config_dump (port 15000 in the
// pod), reached as SG-T4 reaches /certs, with `pilot-agent request GET config_dump` in the
// istio-proxy container (no curl in the image needed, and the suite's RBAC grants exec in the
// gateway's namespace; istioctl proxy-config reads the same endpoint through a port-forward,
// pkg/kube/client.go). Secrets are
// redacted by structure and by content.
import { exec, type KubeClient } from '../kube';
import { oneLine } from '../kube/errors';
import type { PodRef } from './pods';
import { redactConfigDump } from './redact-config-dump';
import type { PartContent } from './types';

export async function collectConfigDump(kube: KubeClient, pod: PodRef, container: string, budgetMs: number): Promise<PartContent> {
  const command = ['pilot-agent', 'request', 'GET', 'config_dump'];
  const result = await exec(kube, { namespace: pod.namespace, pod: pod.name, container, command, timeoutMs: budgetMs });
  if (result.exitCode !== 0) throw new Error(`\`${command.join(' ')}\` exited ${result.exitCode}: ${oneLine(result.stderr).slice(0, 200)}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.stdout);
  } catch {
    // Unparsed text cannot be redacted by structure: it is not kept.
    throw new Error(`/config_dump did not answer JSON (${result.stdout.length} bytes): it is not kept, since only JSON can be redacted field by field`);
  }
  const redaction = redactConfigDump(parsed);
  return {
    data: redaction.dump,
    notes: [
      `from ${pod.namespace}/${pod.name} (container ${container}) by \`${command.join(' ')}\``,
      `${redaction.secretFields} secret field(s) redacted (private keys, passwords); ${redaction.certificateSources} certificate source(s) replaced by subject, issuer, serial and SHA-256 fingerprint; ${redaction.otherInline} other inline TLS source(s) redacted; ${redaction.byContent} string(s) redacted by content`,
    ],
  };
}
