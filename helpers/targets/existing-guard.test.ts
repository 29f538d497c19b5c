import { describe, expect, test } from '@jest/globals';
import { UsageError } from '../config';
import { checkTestCluster, testClusterReason } from './existing-guard';

const facts = (context: string, server = 'https://10.20.30.40:6443', cluster = context) => ({ context, cluster, server });

describe('what looks like a test cluster', () => {
  test.each([
    ['kind-istio', 'local kind cluster'],
    ['k3d-demo', 'local k3d cluster'],
    ['minikube', 'local minikube cluster'],
    ['docker-desktop', 'local docker-desktop cluster'],
    ['twin', "this project's rehearsal cluster"],
    ['gke_acme_europe-west1_ci-istio', 'the word "ci"'],
    ['payments-dev', 'the word "dev"'],
    ['e2e1', 'the word "e2e"'],
    ['team-test-eu', 'the word "test"'],
  ])('context %s qualifies by its name', (context, why) => {
    expect(testClusterReason(facts(context))).toContain(why);
  });

  test.each(['prod-eu', 'gke_acme_europe-west1_payments', 'mercian', 'devops-prod', 'kindly-prod', 'arn:aws:eks:eu-west-1:1234:cluster/main'])(
    'context %s on a remote address does not qualify',
    (context) => {
      expect(testClusterReason(facts(context))).toBeUndefined();
    },
  );

  test('an API server on loopback qualifies whatever the names', () => {
    expect(testClusterReason(facts('prod-eu', 'https://127.0.0.1:41234'))).toMatch(/loopback/);
    expect(testClusterReason(facts('prod-eu', 'https://[::1]:6443'))).toMatch(/loopback/);
    expect(testClusterReason(facts('prod-eu', 'https://localhost:6443'))).toMatch(/loopback/);
    // a private address is not enough: production API servers often have one
    expect(testClusterReason(facts('prod-eu', 'https://192.168.1.10:6443'))).toBeUndefined();
  });

  test('the cluster entry name counts as well as the context name', () => {
    expect(testClusterReason(facts('admin@main', 'https://10.0.0.1:6443', 'kind-main'))).toMatch(/cluster name "kind-main"/);
  });
});

describe('checkTestCluster', () => {
  test('refuses with one line naming ALLOW_CONTEXT', () => {
    const refuse = () => checkTestCluster(facts('prod-eu'), undefined);
    expect(refuse).toThrow(UsageError);
    expect(refuse).toThrow(/^context "prod-eu" \(cluster "prod-eu", API server https:\/\/10\.20\.30\.40:6443\) does not look like a test cluster: .*ALLOW_CONTEXT=prod-eu/);
    expect(() => checkTestCluster(facts('prod-eu'), undefined)).not.toThrow(/\n/);
  });

  test('ALLOW_CONTEXT lets exactly the named context through', () => {
    expect(checkTestCluster(facts('prod-eu'), 'prod-eu')).toBe('ALLOW_CONTEXT=prod-eu names it');
    expect(() => checkTestCluster(facts('prod-eu'), 'prod-us')).toThrow(/ALLOW_CONTEXT=prod-us names another context/);
  });

  test('a test cluster needs no ALLOW_CONTEXT', () => {
    expect(checkTestCluster(facts('kind-istio'), undefined)).toMatch(/^it looks like a test cluster: /);
  });
});
