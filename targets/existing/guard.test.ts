// Consent for the existing target: a named context plus the marker on that cluster, and nothing
// else. The contexts below all passed the old name-and-address rule, and each can be production.
import { describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { UsageError } from '../../helpers/config';
import { CONSENT, consentCommand, consentMarker, consentVerdict, requireNamedContext } from './guard';

// [context, API server] pairs that look like test clusters by name or address and are not proof of one.
const lookalikes: Array<[string, string, string]> = [
  ['Rancher\'s "local" context (the Rancher management cluster itself)', 'local', 'https://rancher.acme.example/k8s/clusters/local'],
  ['a cloud project id containing "dev"', 'gke_acme-dev-prod_europe-west1_payments', 'https://34.90.1.2'],
  ['a cloud project id containing "test"', 'gke_test-harness-prod_us-central1_main', 'https://35.1.2.3'],
  ['an API server on loopback through `kubectl proxy`', 'prod-eu', 'http://127.0.0.1:8001'],
  ['an API server on loopback through an SSH tunnel', 'prod-eu-tunnel', 'https://localhost:6443'],
  ['a kind-looking name', 'kind-prod', 'https://10.0.0.1:6443'],
];

describe('requireNamedContext', () => {
  test('the current-context alone is never used: KUBE_CONTEXT must name one', () => {
    expect(() => requireNamedContext(undefined, 'local')).toThrow(UsageError);
    expect(() => requireNamedContext(undefined, 'local')).toThrow(
      'the existing target uses only a context you name: set KUBE_CONTEXT (the kubeconfig\'s current-context is "local"; it is never used by itself) (README: "Existing clusters")',
    );
    expect(requireNamedContext('local', 'local')).toBe('local');
  });
});

describe('consentVerdict', () => {
  test.each(lookalikes)('%s is refused without the marker, with the command that marks it', (_what, context, server) => {
    const refuse = () => consentVerdict(undefined, { context, server });
    expect(refuse).toThrow(UsageError);
    expect(refuse).toThrow(`context "${context}" (API server ${server}): the cluster has no consent marker (ConfigMap default/istio-gateway-conformance-consent)`);
    expect(refuse).toThrow(consentCommand(context));
    expect(refuse).not.toThrow(/\n/);
  });

  test.each(lookalikes)('%s passes once its cluster carries the marker', (_what, context, server) => {
    expect(consentVerdict(consentMarker(), { context, server })).toBe('KUBE_CONTEXT names it and the cluster carries the consent marker ConfigMap default/istio-gateway-conformance-consent');
  });

  test('a ConfigMap of that name without the label is not consent', () => {
    const unlabelled = { ...consentMarker(), metadata: { namespace: CONSENT.namespace, name: CONSENT.name } };
    expect(() => consentVerdict(unlabelled, { context: 'kind-istio', server: 'https://127.0.0.1:6443' })).toThrow(/ConfigMap default\/istio-gateway-conformance-consent lacks the label istio-gateway-conformance\/consent=granted/);
  });
});

describe('consentCommand', () => {
  test('is kubectl against the named context, creating the labelled marker, quoted for the shell', () => {
    const command = consentCommand("it's-prod");
    expect(command).toBe(
      "kubectl --context 'it'\\''s-prod' --namespace default create configmap istio-gateway-conformance-consent " +
        "'--from-literal=note=istio-gateway-conformance may write its test Secrets, Gateway and VirtualService on this cluster' && " +
        "kubectl --context 'it'\\''s-prod' --namespace default label configmap istio-gateway-conformance-consent istio-gateway-conformance/consent=granted",
    );
    // The shell splits it back into the words above.
    const words = execFileSync('bash', ['-c', `printf '%s\\n' ${command.split(' && ')[1]}`], { encoding: 'utf8' }).trim().split('\n');
    expect(words).toEqual(['kubectl', '--context', "it's-prod", '--namespace', 'default', 'label', 'configmap', CONSENT.name, `${CONSENT.label}=${CONSENT.value}`]);
  });
});
