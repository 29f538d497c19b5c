// The faults the twin can make, each at one boundary of the twin (never as a branch in the Envoy
// stand-in's logic) or in the input a user gives the suite. A catalogue says which of them break
// which of its steps, and names the objects they act on (suites/<id>/faults.ts): the twin knows
// the mechanisms, not the catalogue.

/** Where a fault acts. */
export type FaultBoundary =
  | 'xds' // on the xDS/SDS stream between pilot-agent and the stand-in (twin/faults/xds-tap.ts)
  | 'pod-runner' // in the container runtime / kubelet stand-in (twin/pods)
  | 'network' // in the node's nftables rules (twin/faults/network.ts)
  | 'api' // on API objects, as another controller would (twin/faults/controller.ts)
  | 'admission' // a mutating admission webhook the fault registers and serves (twin/faults/admission.ts)
  | 'input' // the suite's own input, as a user could get it wrong: a setting, the cert folder (steps that check the suite's own action)
  | 'stand-in'; // inside the stand-in, only where no boundary can produce it (says why)

/** Each fault the twin makes, and where it acts. */
export const FAULT_BOUNDARIES = {
  'gateway-not-ready': 'pod-runner',
  'gateway-service-no-https': 'api',
  'cert-dir-leaf-folders-linked': 'input',
  'server-secret-mutated': 'admission',
  'istiod-down': 'network',
  'virtualservice-mutated': 'admission',
  'server-cert-self-signed': 'xds',
  'server-cert-wrong-host': 'xds',
  'no-h2': 'xds',
  'route-missing': 'xds',
  'config-stuck': 'xds',
  'secret-not-mounted': 'pod-runner',
  'server-groups-pq-only': 'xds',
  'route-leak': 'xds',
  'ca-secret-extra-key': 'admission',
  'gateway-mutual-downgraded': 'admission',
  'mutual-not-enforced': 'xds',
  'mutual-port-closed': 'xds',
  'mutual-hangs': 'network',
  'mutual-rejects-valid-client': 'xds',
  'mutual-any-client-ca': 'xds',
  'service-port-moved': 'api',
  'exec-certs-dir-wrong-volume': 'pod-runner',
  'mounted-cert-other-serial': 'pod-runner',
  'certs-admin-stale': 'stand-in',
  'gateway-log-errors': 'pod-runner',
  'exec-ca-dir-wrong-volume': 'pod-runner',
  'mounted-ca-chain-reversed': 'pod-runner',
  'delete-ignored': 'api',
  'httpbin-delete-stuck': 'api',
  'cleanup-leaves-route': 'xds',
  'secret-updates-withheld': 'xds',
} as const satisfies Record<string, FaultBoundary>;

export type FaultName = keyof typeof FAULT_BOUNDARIES;

export const FAULT_NAMES = Object.keys(FAULT_BOUNDARIES) as FaultName[];

export function isFaultName(name: string): name is FaultName {
  return Object.hasOwn(FAULT_BOUNDARIES, name);
}
