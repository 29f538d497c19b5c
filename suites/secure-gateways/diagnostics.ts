// When a Secure Gateways step fails: its diagnostics bundle in
// <report folder>/secure-gateways/diagnostics/<step ID>/ (suites/runtime/diagnostics-hook.ts), from
// what the step's context knows (the cluster, the gateway pod, the doc's names and secrets, the
// run's keys to scan for) and what the step declared it depends on (StepDefinition.objects, else
// the doc's Gateway, VirtualService and the gateway's Service).
import type { Budgets, RunKey } from '../../helpers/diagnostics';
import { diagnosticsHook } from '../runtime/diagnostics-hook';
import { caSecretName, serverSecretName } from './manifests';
import type { DocChain } from '../../helpers/pki';
import type { FailureHook } from '../runtime/results';
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
  return diagnosticsHook<SecureGatewaysContext>(
    secureGateways.id,
    catalogueDir,
    (context, step) => {
      const { names, profile } = context;
      return {
        target: {
          kube: context.kube,
          gateway: { namespace: names.gatewayNamespace, selector: names.gatewaySelector, pod: context.gatewayPod, container: PROXY_CONTAINER },
          namespaces: [...new Set(['istio-system', names.gatewayNamespace, names.appNamespace])],
          secrets: [serverSecretName(profile), caSecretName(profile)].map((name) => ({ namespace: names.gatewayNamespace, name })),
          objects: step.objects?.(context) ?? docObjects(context),
        },
        keys: runKeys(context),
      };
    },
    budgets,
  );
}
