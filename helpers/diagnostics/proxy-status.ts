// What istiod says of each proxy's sync (istioctl proxy-status' source): its /debug/syncz on the
// monitoring port 15014, read with `pilot-discovery request GET /debug/syncz` in the istiod pod.
// Why that way: it works on every target with what the suite already has. The suite runs no
// istioctl (only the kind target's setup does); istiod answers its debug endpoints without
// authentication only from localhost (pilot/pkg/xds/debug.go, allowAuthenticatedOrLocalhost),
// which an exec is and the API server's pod proxy is not; and the suite's RBAC grants exec in
// istio-system, not port-forward.
import { exec, type KubeClient } from '../kube';
import { oneLine } from '../kube/errors';
import type { PodRef } from './pods';
import type { PartContent } from './types';

/** pilot/pkg/xds/debug.go SyncStatus, the fields read here. */
interface SyncStatus {
  proxy?: string;
  cluster_sent?: string;
  cluster_acked?: string;
  listener_sent?: string;
  listener_acked?: string;
  route_sent?: string;
  route_acked?: string;
  endpoint_sent?: string;
  endpoint_acked?: string;
}

/** As istioctl proxy-status words it: SYNCED, STALE (sent, not acked), NOT SENT. */
export function syncState(sent: string | undefined, acked: string | undefined): string {
  if (!sent) return 'NOT SENT';
  return sent === acked ? 'SYNCED' : 'STALE';
}

/** The gateway pod's line of proxy-status, from syncz; undefined when istiod has no such proxy. */
export function gatewayLine(syncz: SyncStatus[], gatewayPod: PodRef | undefined): Record<string, string> | undefined {
  if (!gatewayPod) return undefined;
  const entry = syncz.find((status) => status.proxy === `${gatewayPod.name}.${gatewayPod.namespace}` || status.proxy?.startsWith(`${gatewayPod.name}.`));
  if (!entry?.proxy) return undefined;
  return {
    proxy: entry.proxy,
    CDS: syncState(entry.cluster_sent, entry.cluster_acked),
    LDS: syncState(entry.listener_sent, entry.listener_acked),
    EDS: syncState(entry.endpoint_sent, entry.endpoint_acked),
    RDS: syncState(entry.route_sent, entry.route_acked),
  };
}

export async function collectProxyStatus(kube: KubeClient, istiod: PodRef, gatewayPod: PodRef | undefined, budgetMs: number): Promise<PartContent> {
  const command = ['pilot-discovery', 'request', 'GET', '/debug/syncz'];
  const result = await exec(kube, { namespace: istiod.namespace, pod: istiod.name, command, timeoutMs: budgetMs });
  if (result.exitCode !== 0) throw new Error(`\`${command.join(' ')}\` exited ${result.exitCode}: ${oneLine(result.stderr).slice(0, 200)}`);
  let syncz: SyncStatus[];
  try {
    syncz = JSON.parse(result.stdout) as SyncStatus[];
  } catch {
    throw new Error(`/debug/syncz did not answer JSON: ${oneLine(result.stdout).slice(0, 120)}`);
  }
  if (!Array.isArray(syncz)) throw new Error('/debug/syncz did not answer a list of proxies');
  const gateway = gatewayLine(syncz, gatewayPod);
  return {
    data: { istiod: `${istiod.namespace}/${istiod.name}`, gateway: gateway ?? null, proxies: syncz.length, syncz },
    notes: [
      `from ${istiod.namespace}/${istiod.name} by \`${command.join(' ')}\``,
      gateway ? `the gateway: CDS ${gateway.CDS}, LDS ${gateway.LDS}, EDS ${gateway.EDS}, RDS ${gateway.RDS}` : `istiod lists no proxy for the gateway pod${gatewayPod ? ` ${gatewayPod.name}` : ''} (${syncz.length} proxies connected)`,
    ],
  };
}
