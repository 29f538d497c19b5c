// How long the file-mount profile may wait for a Secret it wrote to show up as files in the gateway
// pod, and be served, on a real kubelet (kind, existing clusters). The twin's pod runner syncs in
// TWIN_VOLUME_SYNC_MS (2 s); a kubelet is far slower, so its figure is derived from the kubelet's and
// pilot-agent's own defaults, not from the twin:
//  - the kubelet re-syncs a pod's volumes every syncFrequency: 1 min by default
//    (k8s.io/kubernetes pkg/kubelet/apis/config/v1beta1/defaults.go, SyncFrequency);
//  - with the Cache change-detection strategy it reads Secrets through a cache whose TTL is 1 min
//    (pkg/kubelet/secret/secret_manager.go, defaultTTL; the default Watch strategy has no TTL, but
//    clusters that set Cache exist, so the worst case counts it);
//  - pilot-agent retries a file certificate that is not there yet for 10 s before it answers Envoy
//    with the error, then serves the file when its watch sees it
//    (istio.io/istio security/pkg/nodeagent/cache/secretcache.go, totalTimeout);
//  - a margin for the watch, the SDS push and the converging observations.
// FILE_MOUNT_WAIT_MS replaces the derived figure; WAIT_BUDGET_MS stays the floor.

export const KUBELET_SYNC_FREQUENCY_MS = 60_000;
export const KUBELET_SECRET_CACHE_TTL_MS = 60_000;
export const PILOT_AGENT_FILE_RETRY_MS = 10_000;
export const PUSH_MARGIN_MS = 10_000;

/** The wait for a mounted Secret on a real kubelet: 140 s with the figures above. */
export const REAL_KUBELET_FILE_MOUNT_WAIT_MS = KUBELET_SYNC_FREQUENCY_MS + KUBELET_SECRET_CACHE_TTL_MS + PILOT_AGENT_FILE_RETRY_MS + PUSH_MARGIN_MS;

/** The budget of the catalogue's waits: a file-mount run on a real kubelet waits at least the file-mount figure. */
export function catalogueWaitMs(waitBudgetMs: number, profile: string, fileMountWaitMs: number | undefined): number {
  return profile === 'file-mount' && fileMountWaitMs !== undefined ? Math.max(waitBudgetMs, fileMountWaitMs) : waitBudgetMs;
}
