// The twin: a real Kubernetes control plane on this machine, without containers. startTwin()
// makes the node (a network namespace joined to the host by a veth pair), starts the control
// plane inside it under a supervisor, gives LoadBalancer Services the node address, attaches the
// pod runner when there is one, and writes the kubeconfig. stop() undoes all of it; so does a
// failure half-way through the start. `npm run twin` and the tests call it.
//
// The pod runner (the container runtime's stand-in) plugs in through PodRunnerPlugin: it gets the
// node (namespace, address, pod CIDR, state folder, kubeconfig, where pod logs go), the supervisor
// to start its own processes under, and the state file to record pod namespaces for twin:down.
import fs from 'node:fs';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { UsageError } from '../helpers/config';
import { isSameProcessAlive } from './process/identity';
import { StateFile } from './process/state-file';
import { Supervisor, type SupervisedProcess } from './process/supervisor';
import { sweep } from './process/sweep';
import {
  apiServiceIp,
  clusterCidr,
  clusterDnsIp,
  clusterDomain,
  hostIpv4Prefixes,
  pickSubnet,
  podCidr,
  serviceCidr,
} from './node/addresses';
import { startLoadBalancerController, type LoadBalancerController } from './node/loadbalancer';
import { nodeNames } from './node/names';
import { createNodeNetwork, removeNodeNetwork } from './node/netns';
import { childPath, requireNodeTools, requireRoot } from './node/prerequisites';
import { coreDnsManifest, createManifests, readManifests } from './control-plane/addons';
import { controlPlaneLayout } from './control-plane/components';
import { adminKubeconfig, writeKubeconfig } from './control-plane/kubeconfig';
import { ensureClusterPki } from './control-plane/pki';
import { ports } from './control-plane/ports';
import { startControlPlane, type ControlPlaneBinaries } from './control-plane/start';

export type { ControlPlaneBinaries } from './control-plane/start';

export const nodeName = 'twin-node';

/** What the pod runner (and anything else that plugs into the node) needs to know. */
export interface TwinNode {
  name: string;
  /** The node's network namespace: pods' namespaces are wired to it. */
  netns: string;
  /** The node address (InternalIP, API server, LoadBalancer ingress). */
  address: string;
  /** The host's end of the node's veth. */
  hostAddress: string;
  podCidr: string;
  clusterCidr: string;
  serviceCidr: string;
  apiServiceIp: string;
  clusterDnsIp: string;
  clusterDomain: string;
  stateDir: string;
  /** Admin kubeconfig (server https://<address>:6443). */
  kubeconfig: string;
  /** twin-kubelet-stream reads container logs from NAMESPACE_POD/CONTAINER.log here (CRI format). */
  podLogsDir: string;
  /** The node's kubelet endpoint port (twin-kubelet-stream, else kwok). */
  kubeletPort: number;
}

export interface PodRunnerContext {
  node: TwinNode;
  /** Start long-running processes here: they get logs, stop order and death with the twin. */
  supervisor: Supervisor;
  /** Record pod network namespaces, host links and stray processes here, for twin:down. */
  state: StateFile;
  kubeConfig: KubeConfig;
  log: (line: string) => void;
}

export interface PodRunnerHandle {
  stop(): Promise<void>;
}

export interface PodRunnerPlugin {
  name: string;
  /**
   * The executable twin-kubelet-stream runs for `kubectl exec` and `port-forward`
   * (`HOOK exec NS POD CONTAINER -- CMD...`, `HOOK port-forward NS POD PORT`).
   */
  hook?: string;
  /** Called once the control plane is ready; the twin calls stop() before stopping the node. */
  start(context: PodRunnerContext): Promise<PodRunnerHandle>;
}

export interface TwinOptions {
  stateDir: string;
  binaries: ControlPlaneBinaries;
  /** Where to write a copy of the admin kubeconfig (it is always in the state folder too). */
  kubeconfigOut?: string;
  podRunner?: PodRunnerPlugin;
  log?: (line: string) => void;
  /** Start milestones with their times (e.g. "kube-apiserver v1.36.3 ready (7.0 s)"). */
  progress?: (line: string) => void;
  /** Aborting it stops a start half-way (everything made so far is removed). */
  signal?: AbortSignal;
}

export interface Twin {
  node: TwinNode;
  kubeconfig: string;
  kubeVersion: string;
  /** From the first component started to the last one ready. */
  controlPlaneMs: number;
  /** The whole start, node and PKI included. */
  totalMs: number;
  /** Whether twin-kubelet-stream serves the kubelet endpoint (false: kwok's server, not built). */
  kubeletStream: boolean;
  /** Settles with the error when a component exits by itself while the twin runs. */
  failure: Promise<Error>;
  stop(): Promise<void>;
}

export async function startTwin(options: TwinOptions): Promise<Twin> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  requireRoot();
  const tools = requireNodeTools();
  const stateDir = path.resolve(options.stateDir);
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });

  const previous = new StateFile(stateDir).current.owner;
  if (previous && previous.pid !== process.pid && isSameProcessAlive(previous)) {
    throw new UsageError(`a twin is already running from ${stateDir} (pid ${previous.pid}): stop it, or run npm run twin:down -- --state-dir ${stateDir}`);
  }
  const leftovers = await sweep(stateDir, { ip: tools.ip });
  if (leftovers.swept.length > 0) log(`swept what a killed run left: ${leftovers.swept.join(', ')}`);

  const state = new StateFile(stateDir);
  state.setOwner('twin');
  const names = nodeNames(stateDir);
  let failed: (error: Error) => void = () => {};
  const failure = new Promise<Error>((resolve) => (failed = resolve));
  const supervisor = new Supervisor({
    logDir: path.join(stateDir, 'logs'),
    state,
    setpriv: tools.setpriv,
    ip: tools.ip,
    env: { ...process.env, PATH: childPath(tools), HOME: path.join(stateDir, 'home') },
    onUnexpectedExit: (p: SupervisedProcess) => {
      if (!stopping) failed(new Error(`${p.describeExit()}; log ${p.logPath}:\n${p.logTail()}`));
    },
  });
  let loadBalancer: LoadBalancerController | undefined;
  let podRunner: PodRunnerHandle | undefined;

  let stopping: Promise<void> | undefined;
  // Idempotent: every caller waits for the one stop.
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await loadBalancer?.stop().catch(() => undefined);
      await podRunner?.stop().catch((error: unknown) => log(`pod runner stop failed: ${String(error)}`));
      await supervisor.stopAll();
      await removeNodeNetwork(names, tools.ip);
      state.clear();
    })());

  try {
    state.addNetns(names.netns);
    state.addHostLink(names.hostLink);
    const subnet = pickSubnet(names.seed, await hostIpv4Prefixes(tools.ip));
    const [network, pki] = await Promise.all([
      createNodeNetwork({ ...names, subnet, serviceCidr }, tools.ip),
      ensureClusterPki(path.join(stateDir, 'pki'), { nodeName, nodeAddress: subnet.nodeAddress }),
    ]);
    options.signal?.throwIfAborted();
    const layout = controlPlaneLayout(stateDir, nodeName, network.nodeAddress, pki.files);
    writeKubeconfig(layout.kubeconfig, adminKubeconfig(`https://${network.nodeAddress}:${ports.apiserver}`, pki.files));
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(layout.kubeconfig);
    const node: TwinNode = {
      name: nodeName,
      netns: names.netns,
      address: network.nodeAddress,
      hostAddress: network.hostAddress,
      podCidr,
      clusterCidr,
      serviceCidr,
      apiServiceIp,
      clusterDnsIp,
      clusterDomain,
      stateDir,
      kubeconfig: layout.kubeconfig,
      podLogsDir: path.join(stateDir, 'pod-logs'),
      kubeletPort: ports.kubelet,
    };

    const controlPlaneStarted = Date.now();
    const abortable = <T>(work: Promise<T>) => raceAbort(work, options.signal);
    const controlPlane = await abortable(
      startControlPlane({
        layout,
        binaries: options.binaries,
        supervisor,
        netns: names.netns,
        ip: tools.ip,
        nft: tools.nft,
        kubeletHook: options.podRunner?.hook ?? noPodRunnerHook(layout.configDir),
        podLogsDir: node.podLogsDir,
        kubeConfig,
        log,
        progress: options.progress,
      }),
    );
    const controlPlaneMs = Date.now() - controlPlaneStarted;
    if (!controlPlane.kubeletStream) log('twin-kubelet-stream is not built: kwok serves the kubelet endpoint (kubectl exec/logs without real exit codes)');

    loadBalancer = await abortable(startLoadBalancerController(kubeConfig, node.address, log));
    if (options.podRunner) {
      podRunner = await abortable(options.podRunner.start({ node, supervisor, state, kubeConfig, log }));
      // CoreDNS is a pod like any other: it can run only once a pod runner is there.
      await abortable(createManifests(kubeConfig, readManifests(coreDnsManifest)));
    }
    if (options.kubeconfigOut) writeKubeconfig(options.kubeconfigOut, fs.readFileSync(layout.kubeconfig, 'utf8'));
    return {
      node,
      kubeconfig: options.kubeconfigOut ? path.resolve(options.kubeconfigOut) : layout.kubeconfig,
      kubeVersion: controlPlane.kubeVersion,
      controlPlaneMs,
      totalMs: Date.now() - started,
      kubeletStream: controlPlane.kubeletStream,
      failure,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Rejects as soon as the signal aborts (the caller then stops what was started). */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('start aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Until a pod runner is attached, exec and port-forward say so instead of failing obscurely. */
function noPodRunnerHook(configDir: string): string {
  const hook = path.join(configDir, 'no-pod-runner-hook');
  fs.mkdirSync(configDir, { recursive: true });
  fs.writeFileSync(hook, '#!/bin/sh\necho "twin: no pod runner is attached to this twin, so there is no pod to $1 into" >&2\nexit 1\n', { mode: 0o755 });
  return hook;
}
