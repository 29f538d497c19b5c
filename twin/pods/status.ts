// The pod status a kubelet reports, computed from what the runner knows about the pod's
// containers: phase, conditions (PodScheduled, PodReadyToStartContainers, Initialized,
// ContainersReady, Ready), IPs and containerStatuses. Pure; pod.ts writes it with a strategic
// merge patch on the status subresource (conditions merge by type, so others' stay).
import type { V1ContainerState, V1ContainerStateTerminated, V1ContainerStatus, V1Pod, V1PodCondition, V1PodStatus } from '@kubernetes/client-node';

export interface ContainerView {
  name: string;
  image: string;
  containerID?: string;
  state: V1ContainerState;
  lastTerminated?: V1ContainerStateTerminated;
  restartCount: number;
  started: boolean;
  ready: boolean;
}

export interface PodView {
  podIP?: string;
  hostIP: string;
  startTime?: Date;
  /** The sandbox (network, volumes) is set up. */
  sandboxReady: boolean;
  initContainers: ContainerView[];
  containers: ContainerView[];
  /** All init containers completed. */
  initialized: boolean;
  /** Set once a pod will not run again (restartPolicy Never/OnFailure and done). */
  terminalPhase?: 'Succeeded' | 'Failed';
  /** Why the pod cannot start at all (e.g. a volume that cannot be mounted). */
  message?: string;
}

export function podPhase(pod: V1Pod, view: PodView): string {
  if (view.terminalPhase) return view.terminalPhase;
  if (!view.initialized) return 'Pending';
  const policy = pod.spec?.restartPolicy ?? 'Always';
  let running = 0;
  let waitingFirst = 0;
  let succeeded = 0;
  let failed = 0;
  for (const c of view.containers) {
    if (c.state.running) running += 1;
    else if (c.state.terminated) {
      if (c.state.terminated.exitCode === 0) succeeded += 1;
      else failed += 1;
    } else if (c.lastTerminated) running += 1; // waiting to restart: the pod is still Running
    else waitingFirst += 1;
  }
  if (waitingFirst > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (policy === 'Always') return 'Running';
  if (failed > 0) return policy === 'Never' ? 'Failed' : 'Running';
  return succeeded === view.containers.length ? 'Succeeded' : 'Running';
}

function condition(type: string, ok: boolean, previous: V1PodCondition[] | undefined, now: Date, reason?: string): V1PodCondition {
  const status = ok ? 'True' : 'False';
  const before = previous?.find((c) => c.type === type);
  return {
    type,
    status,
    lastTransitionTime: before?.status === status && before.lastTransitionTime ? before.lastTransitionTime : now,
    ...(ok || !reason ? {} : { reason }),
  };
}

function containerStatus(c: ContainerView): V1ContainerStatus {
  return {
    name: c.name,
    image: c.image,
    imageID: c.containerID ? `twin://${c.image}` : '',
    containerID: c.containerID,
    state: c.state,
    lastState: c.lastTerminated ? { terminated: c.lastTerminated } : {},
    ready: c.ready,
    started: c.started,
    restartCount: c.restartCount,
  };
}

export function podStatus(pod: V1Pod, view: PodView, now = new Date()): V1PodStatus {
  const previous = pod.status?.conditions;
  const containersReady = view.containers.length > 0 && view.containers.every((c) => c.ready);
  // Readiness gates: Ready also needs each gate's condition True (set by its own controller).
  const gatesOk = (pod.spec?.readinessGates ?? []).every((gate) => previous?.some((c) => c.type === gate.conditionType && c.status === 'True'));
  const phase = podPhase(pod, view);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const status: V1PodStatus = {
    phase,
    hostIP: view.hostIP,
    hostIPs: [{ ip: view.hostIP }],
    conditions: [
      condition('PodReadyToStartContainers', view.sandboxReady, previous, now),
      condition('Initialized', view.initialized, previous, now, 'ContainersNotInitialized'),
      condition('ContainersReady', containersReady && !terminal, previous, now, 'ContainersNotReady'),
      condition('Ready', containersReady && gatesOk && !terminal, previous, now, 'ContainersNotReady'),
      condition('PodScheduled', true, previous, now),
    ],
    containerStatuses: view.containers.map(containerStatus),
  };
  if (view.initContainers.length > 0) status.initContainerStatuses = view.initContainers.map(containerStatus);
  if (view.podIP) {
    status.podIP = view.podIP;
    status.podIPs = [{ ip: view.podIP }];
  }
  if (view.startTime) status.startTime = view.startTime;
  if (view.message) status.message = view.message;
  return status;
}
