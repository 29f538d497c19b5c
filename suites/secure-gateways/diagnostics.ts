// When a Secure Gateways step fails: its diagnostics bundle in
// <report folder>/secure-gateways/diagnostics/<step ID>/, from what the step's context knows (the
// cluster, the gateway pod, the doc's names and secrets, the run's keys to scan for) and what the
// step declared it depends on (StepDefinition.objects, else the doc's Gateway, VirtualService and
// the gateway's Service). Written while the failure is fresh: before any later step or cleanup.
import path from 'node:path';
import { INDEX_FILE, stepFolder, writeBundle, type Budgets, type RunKey } from '../../helpers/diagnostics';
import { caSecretName, serverSecretName } from './manifests';
import type { DocChain } from '../../helpers/pki';
import type { FailureHook } from '../runtime/results';
import { StepFailure } from '../runtime/step';
import { secureGateways } from './entry';
import type { SecureGatewaysContext } from './context';
import { docObjects } from './step-objects';
import { PROXY_CONTAINER } from './steps/troubleshooting';

/** The run's private keys (the doc's chain and the foreign one), for the scan only. */
export function runKeys(context: SecureGatewaysContext): RunKey[] {
  const ofChain = (chain: DocChain | undefined, prefix: string): RunKey[] =>
    chain ? (['root', 'intermediate', 'server', 'client'] as const).map((role) => ({ label: `${prefix}${role} key`, pem: chain[role].keyPem })) : [];
  return [...ofChain(context.chain, ''), ...ofChain(context.foreignChain, 'foreign ')];
}

/** Writes a failed step's bundle into `catalogueDir`/diagnostics/<step ID>/ (reports/secure-gateways/…). */
export function secureGatewaysDiagnostics(catalogueDir: string, budgets?: Partial<Budgets>): FailureHook<SecureGatewaysContext> {
  return async ({ step, context, result, error }) => {
    const folder = stepFolder(catalogueDir, step.id);
    const { names, profile } = context;
    const index = await writeBundle({
      catalogue: secureGateways.id,
      folder,
      step: result,
      observation: error instanceof StepFailure ? error.observation : undefined,
      target: {
        kube: context.kube,
        gateway: { namespace: names.gatewayNamespace, selector: names.gatewaySelector, pod: context.gatewayPod, container: PROXY_CONTAINER },
        namespaces: [...new Set(['istio-system', names.gatewayNamespace, names.appNamespace])],
        secrets: [serverSecretName(profile), caSecretName(profile)].map((name) => ({ namespace: names.gatewayNamespace, name })),
        objects: step.objects?.(context) ?? docObjects(context),
      },
      keys: runKeys(context),
      budgets,
    });
    const collected = index.parts.filter((part) => part.status === 'collected').length;
    const where = path.relative(process.cwd(), folder) || folder;
    process.stderr.write(`  ${step.id}: diagnostics in ${where} (${collected} of ${index.parts.length} parts collected, ${(index.durationMs / 1000).toFixed(1)} s)\n`);
    return path.relative(catalogueDir, path.join(folder, INDEX_FILE));
  };
}
