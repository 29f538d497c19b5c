// The pod runner: the twin node's kubelet and container runtime in one. It watches the pods bound
// to the node (spec.nodeName) and the Secrets, ConfigMaps and Services they use, with
// @kubernetes/client-node informers, and runs one PodRuntime per pod.
import { NO_FAULTS, type ActiveFaults } from '../faults/active';
import fs from 'node:fs';
import {
  CoreV1Api,
  ListWatch,
  Watch,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type V1ConfigMap,
  type V1Pod,
  type V1Secret,
  type V1Service,
} from '@kubernetes/client-node';
import type { StateFile } from '../process/state-file';
import type { Supervisor } from '../process/supervisor';
import type { HookPaths } from './hook';
import { IpPool } from './ip-pool';
import { PodRuntime, type PodDeps, type RunnerLookup } from './pod';

export interface PodRunnerConfig {
  kubeConfig: KubeConfig;
  supervisor: Supervisor;
  state: StateFile;
  tools: { ip: string; bwrap: string };
  node: { name: string; netns: string; address: string; podCidr: string; clusterDnsIp: string; clusterDomain: string };
  podsDir: string;
  logsDir: string;
  hook: HookPaths;
  binaries(names: string[]): Promise<Record<string, string>>;
  standIns: Record<string, string>;
  volumeSyncDelayMs: number;
  backoffMs: number;
  /** Grace period when the twin stops (pods are not deleted then, only stopped). */
  stopGraceMs: number;
  /** The active faults (twin/faults); absent: none. */
  /** Host folders the pods' views keep visible besides what they mount (view.ts twinFilesVisible). */
  keepVisible?: string[];
  faults?: () => ActiveFaults;
  log(line: string): void;
}

export interface PodRunner {
  /** Pods the runner currently runs, by namespace/name. */
  pods(): string[];
  stop(): Promise<void>;
}

type Cache<T extends KubernetesObject> = ListWatch<T>;

/** An informer that starts again after an error (client-node's stops for good). */
function informer<T extends KubernetesObject>(
  kubeConfig: KubeConfig,
  path: string,
  list: () => Promise<KubernetesListObject<T>>,
  fieldSelector: string | undefined,
  log: (line: string) => void,
  stopped: () => boolean,
): Cache<T> {
  const cache = new ListWatch<T>(path, new Watch(kubeConfig), list, false, undefined, fieldSelector);
  cache.on('error', (error: unknown) => {
    if (stopped()) return;
    log(`watch ${path}: ${error instanceof Error ? error.message : String(error)}; watching again in 1 s`);
    setTimeout(() => {
      if (!stopped()) void cache.start().catch(() => undefined);
    }, 1_000).unref();
  });
  return cache;
}

export async function startPodRunner(config: PodRunnerConfig): Promise<PodRunner> {
  const core = config.kubeConfig.makeApiClient(CoreV1Api);
  const node = await core.readNode({ name: config.node.name }).catch(() => undefined);
  const podCidr = node?.spec?.podCIDR ?? config.node.podCidr;
  const ipPool = new IpPool(podCidr);
  fs.mkdirSync(config.podsDir, { recursive: true, mode: 0o700 });
  fs.mkdirSync(config.logsDir, { recursive: true });

  let stopped = false;
  const isStopped = () => stopped;
  const secrets = informer<V1Secret>(config.kubeConfig, '/api/v1/secrets', () => core.listSecretForAllNamespaces(), undefined, config.log, isStopped);
  const configMaps = informer<V1ConfigMap>(config.kubeConfig, '/api/v1/configmaps', () => core.listConfigMapForAllNamespaces(), undefined, config.log, isStopped);
  const services = informer<V1Service>(config.kubeConfig, '/api/v1/services', () => core.listServiceForAllNamespaces(), undefined, config.log, isStopped);
  const selector = `spec.nodeName=${config.node.name}`;
  const pods = informer<V1Pod>(config.kubeConfig, '/api/v1/pods', () => core.listPodForAllNamespaces({ fieldSelector: selector }), selector, config.log, isStopped);

  const lookup: RunnerLookup = {
    secret: (namespace, name) => secrets.get(name, namespace),
    configMap: (namespace, name) => configMaps.get(name, namespace),
    services: () => [...services.list()],
  };
  const deps: PodDeps = {
    core,
    supervisor: config.supervisor,
    state: config.state,
    tools: config.tools,
    node: { ...config.node, allocatable: node?.status?.allocatable },
    ipPool,
    podsDir: config.podsDir,
    logsDir: config.logsDir,
    hook: config.hook,
    lookup,
    binaries: config.binaries,
    standIns: config.standIns,
    volumeSyncDelayMs: config.volumeSyncDelayMs,
    backoffMs: config.backoffMs,
    faults: config.faults ?? (() => NO_FAULTS),
    keepVisible: config.keepVisible,
    log: config.log,
  };

  const running = new Map<string, PodRuntime>(); // by uid
  const ended = new Set<string>(); // uids torn down (a late event must not start them again)

  const graceOf = (pod: V1Pod): number => (pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000;

  const terminate = (runtime: PodRuntime, pod: V1Pod, deleteObject: boolean) => {
    ended.add(runtime.uid);
    void runtime.terminate(graceOf(pod), deleteObject).finally(() => running.delete(runtime.uid));
  };

  const onPod = (pod: V1Pod) => {
    if (stopped) return;
    const uid = pod.metadata?.uid;
    if (!uid || pod.spec?.nodeName !== config.node.name) return;
    const runtime = running.get(uid);
    if (pod.metadata?.deletionTimestamp) {
      if (runtime) terminate(runtime, pod, true);
      else if (!ended.has(uid)) {
        // Never started here (or the runner restarted): nothing to stop, finish the deletion.
        ended.add(uid);
        void core.deleteNamespacedPod({ name: pod.metadata.name!, namespace: pod.metadata.namespace!, gracePeriodSeconds: 0, body: { preconditions: { uid } } }).catch(() => undefined);
      }
      return;
    }
    if (runtime) return runtime.update(pod);
    if (ended.has(uid) || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
    const created = new PodRuntime(pod, deps);
    running.set(uid, created);
    config.log(`pod ${created.key}: starting`);
    void created.start();
  };
  const onPodGone = (pod: V1Pod) => {
    const runtime = running.get(pod.metadata?.uid ?? '');
    if (runtime) terminate(runtime, pod, false);
  };
  pods.on('add', onPod);
  pods.on('update', onPod);
  pods.on('delete', onPodGone);

  const onSource = (kind: 'secret' | 'configmap') => (object: KubernetesObject) => {
    const { namespace, name } = object.metadata ?? {};
    if (!namespace || !name) return;
    for (const runtime of running.values()) if (runtime.references(kind, namespace, name)) runtime.sourceChanged();
  };
  for (const verb of ['add', 'update', 'delete'] as const) {
    secrets.on(verb, onSource('secret'));
    configMaps.on(verb, onSource('configmap'));
  }

  // The sources first, so a pod's first mount finds what already exists.
  await Promise.all([secrets.start(), configMaps.start(), services.start()]);
  await pods.start();

  return {
    pods: () => [...running.values()].map((r) => r.key),
    async stop() {
      stopped = true;
      await Promise.all([pods.stop(), secrets.stop(), configMaps.stop(), services.stop()]);
      await Promise.all([...running.values()].map((r) => r.terminate(Math.min(config.stopGraceMs, 30_000), false)));
      running.clear();
    },
  };
}
