// When a credentialName step fails: its diagnostics bundle in
// <report folder>/secure-gateways-sds/diagnostics/<step ID>/ (suites/runtime/diagnostics-hook.ts):
// the gateway, the credential's metadata (never its data), this catalogue's objects, and the
// run's keys to scan every file for.
import type { FailureHook } from '../runtime/results';
import { diagnosticsHook } from '../runtime/diagnostics-hook';
import type { SdsContext } from './context';
import { secureGatewaysSds } from './entry';

const PROXY_CONTAINER = 'istio-proxy';

export function sdsDiagnostics(catalogueDir: string): FailureHook<SdsContext> {
  return diagnosticsHook<SdsContext>(secureGatewaysSds.id, catalogueDir, (context) => {
    const { names, networkingVersion } = context;
    return {
      target: {
        kube: context.kube,
        gateway: { namespace: names.gatewayNamespace, selector: names.gatewaySelector, pod: context.gatewayPod?.name, container: PROXY_CONTAINER },
        namespaces: [...new Set(['istio-system', names.gatewayNamespace, names.appNamespace])],
        secrets: [{ namespace: names.gatewayNamespace, name: names.credential }],
        objects: [
          { apiVersion: networkingVersion, kind: 'Gateway', namespace: names.appNamespace, name: names.gatewayName },
          { apiVersion: networkingVersion, kind: 'VirtualService', namespace: names.appNamespace, name: names.virtualServiceName },
          { apiVersion: 'v1', kind: 'Service', namespace: names.gatewayNamespace, name: context.gatewayService },
        ],
      },
      keys: (['root', 'intermediate', 'server', 'client'] as const).map((role) => ({ label: `${role} key`, pem: context.chain[role].keyPem })).concat({ label: 'rotated server key', pem: context.rotatedServer.keyPem }),
    };
  });
}
