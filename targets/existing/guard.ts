// The existing target writes Secrets into the gateway's namespace and a Gateway into `default`, so
// it runs only with the user's explicit consent, given per cluster and in two parts:
//  1. the context is named (KUBE_CONTEXT): the kubeconfig's current-context is never used by itself;
//  2. that cluster carries the consent marker, a ConfigMap the user creates once with the command
//     this module prints (default/istio-gateway-conformance-consent, labelled
//     istio-gateway-conformance/consent=granted).
// Nothing else passes: no name, word or address makes a cluster "look like" a test one (a Rancher
// `local` context, a cloud project called acme-dev, an API server on 127.0.0.1 reached through
// `kubectl proxy` or an SSH tunnel can all be production).
import { UsageError } from '../../helpers/config';
import { get, hasReason, type KubeClient, type KubeObject, type ObjectRef } from '../../helpers/kube';
import { shellLine } from '../kind/kind-plan';

/** The marker: in `default`, where the suite already keeps its lock Lease and the doc's app. */
export const CONSENT = {
  namespace: 'default',
  name: 'istio-gateway-conformance-consent',
  label: 'istio-gateway-conformance/consent',
  value: 'granted',
} as const;

const markerRef: ObjectRef = { apiVersion: 'v1', kind: 'ConfigMap', namespace: CONSENT.namespace, name: CONSENT.name };

/** The marker object (the twin, which creates its own cluster, applies it itself). */
export function consentMarker(): KubeObject & { data: Record<string, string> } {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { namespace: CONSENT.namespace, name: CONSENT.name, labels: { [CONSENT.label]: CONSENT.value } },
    data: { note: 'istio-gateway-conformance may write its test Secrets, Gateway and VirtualService on this cluster' },
  };
}

/** The commands a user runs once to give consent for the cluster behind `context`. */
export function consentCommand(context: string): string {
  const kubectl = ['kubectl', '--context', context, '--namespace', CONSENT.namespace];
  return (
    `${shellLine([...kubectl, 'create', 'configmap', CONSENT.name, `--from-literal=note=${consentMarker().data.note}`])} && ` +
    shellLine([...kubectl, 'label', 'configmap', CONSENT.name, `${CONSENT.label}=${CONSENT.value}`])
  );
}

/** Part 1, before anything connects: the context must be named; returns it. */
export function requireNamedContext(named: string | undefined, current: string): string {
  if (named) return named;
  throw new UsageError(
    `the existing target uses only a context you name: set KUBE_CONTEXT (the kubeconfig's current-context is ${current ? `"${current}"` : 'unset'}; ` +
      'it is never used by itself) (README: "Existing clusters")',
  );
}

/** Part 2: the named cluster carries the marker. Returns why the context may be used; one line when not. */
export async function checkConsent(kube: KubeClient, context: string): Promise<string> {
  let marker: KubeObject | undefined;
  try {
    marker = await get(kube, markerRef);
  } catch (error) {
    if (hasReason(error, 'Forbidden')) {
      throw new UsageError(
        `cannot read the consent marker ConfigMap ${CONSENT.namespace}/${CONSENT.name} on context "${context}" (403 Forbidden): grant "get" on it (fixtures/rbac/istio-gateway-conformance.yaml does)`,
      );
    }
    throw error;
  }
  return consentVerdict(marker, { context, server: kube.server });
}

/** Pure: the verdict on what the cluster holds under the marker's name (undefined: nothing). */
export function consentVerdict(marker: KubeObject | undefined, where: { context: string; server: string }): string {
  const name = `${CONSENT.namespace}/${CONSENT.name}`;
  if (marker?.metadata?.labels?.[CONSENT.label] === CONSENT.value) return `KUBE_CONTEXT names it and the cluster carries the consent marker ConfigMap ${name}`;
  const found = marker ? `ConfigMap ${name} lacks the label ${CONSENT.label}=${CONSENT.value}` : `the cluster has no consent marker (ConfigMap ${name})`;
  throw new UsageError(
    `context "${where.context}" (API server ${where.server}): ${found}; the suite writes Secrets and a Gateway there, so it runs only on a cluster you marked as a test cluster. ` +
      `If this is one, mark it once: ${consentCommand(where.context)}`,
  );
}
