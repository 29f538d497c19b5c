// Envoy's drain decision (source/server/drain_manager_impl.cc, drainClose): whether a connection of
// a draining listener should close at its next response. With --drain-strategy immediate (what
// pilot-agent passes) always; with gradual, with a probability that grows from 0 to 1 over the
// drain time, in whole seconds as Envoy computes it. A filter chain drained by an in-place update
// is always closing (PerFilterChainFactoryContextImpl::drainClose: is_draining_).
export type DrainDecision = () => boolean;

export const ALWAYS_DRAIN: DrainDecision = () => true;

export function listenerDrainDecision(strategy: string, drainTimeMs: number, startedAt = Date.now(), random: () => number = Math.random): DrainDecision {
  if (strategy === 'immediate') return ALWAYS_DRAIN;
  const drainSeconds = Math.floor(drainTimeMs / 1000);
  return () => {
    if (drainSeconds === 0) return true;
    const remainingSeconds = Math.max(0, Math.floor((startedAt + drainTimeMs - Date.now()) / 1000));
    const elapsedSeconds = drainSeconds - remainingSeconds;
    return elapsedSeconds > Math.floor(random() * 2 ** 32) % drainSeconds;
  };
}
