// The twin's pod runner, as a plug-in of startTwin (twin/index.ts): the container runtime and
// kubelet stand-in. podRunnerPlugin() writes the exec/port-forward hook at once (the control
// plane hands its path to twin-kubelet-stream before any pod exists) and starts the runner once
// the control plane is ready. sweepPods() removes what a killed run left (twin:down).
import fs from 'node:fs';
import path from 'node:path';
import { loadSettings } from '../../helpers/config';
import { ensureBinaries, TWIN_BINARIES, type TwinBinary } from '../build';
import type { PodRunnerPlugin } from '../index';
import { deleteNetns } from '../node/netns';
import { findTool, requireTools } from '../node/prerequisites';
import { podTools } from './host-tools';
import { activeFaultsReader } from '../faults/active';
import { twinFilesVisible } from './view';
import { Supervisor } from '../process/supervisor';
import { hookPaths, writeHook } from './hook';
import { listPodNetns } from './pod-network';
import { startPodRunner } from './runner';

export { imageTable, findImageProgram } from './images';
export type { PodRunner } from './runner';

export { podTools } from './host-tools';

export interface PodRunnerPluginOptions {
  stateDir: string;
  /** Paths of twin-built binaries by name (default: twin/build's ensureBinaries). */
  binaries?: (names: string[]) => Promise<Record<string, string>>;
  /** Stand-in programs by name, e.g. { envoy: '/path/to/envoy-standin' } (issue 4 on). */
  standIns?: Record<string, string>;
  /** Default: setting TWIN_VOLUME_SYNC_MS. */
  volumeSyncDelayMs?: number;
  /** Default: setting TWIN_RESTART_BACKOFF_MS. */
  restartBackoffMs?: number;
  /** How long pods get to stop when the twin stops (default 5 s). */
  stopGraceMs?: number;
  /** The twin's active-faults file (twin/faults): the runner's own faults act here. */
  faultsFile?: string;
}

/** Where the runner keeps its files under a twin's state folder. */
export function podsDirOf(stateDir: string): string {
  return path.join(path.resolve(stateDir), 'pods');
}

async function defaultBinaries(names: string[]): Promise<Record<string, string>> {
  const unknown = names.filter((n) => !(TWIN_BINARIES as readonly string[]).includes(n));
  if (unknown.length > 0) throw new Error(`twin/build does not build ${unknown.join(', ')}`);
  // Built on first use (cached by version): a pod waits as for an image pull.
  return ensureBinaries(names as TwinBinary[]);
}

export function podRunnerPlugin(options: PodRunnerPluginOptions): PodRunnerPlugin {
  const podsDir = podsDirOf(options.stateDir);
  const paths = hookPaths(podsDir);
  const hookTools = { ip: findTool('ip') ?? 'ip', node: process.execPath };
  // The state folder is private (keys, tokens): create it as startTwin would, before the hook.
  fs.mkdirSync(path.resolve(options.stateDir), { recursive: true, mode: 0o700 });
  fs.mkdirSync(podsDir, { recursive: true, mode: 0o700 });
  writeHook(paths, hookTools);
  return {
    name: 'pod-runner',
    hook: paths.hook,
    async start(context) {
      const tools = requireTools(podTools);
      const settings = loadSettings();
      // What a killed run left: pod namespaces, folders, exec entries.
      for (const netns of await listPodNetns(context.node.netns, tools.ip!)) await deleteNetns(netns, tools.ip);
      for (const entry of fs.existsSync(podsDir) ? fs.readdirSync(podsDir) : []) {
        if (entry !== 'hook') fs.rmSync(path.join(podsDir, entry), { recursive: true, force: true });
      }
      writeHook(paths, { ...hookTools, ip: tools.ip! });
      // A supervisor of its own: pod programs exit and restart as part of their life, which the
      // twin's supervisor would report as a component failure. Same mechanism (setpriv
      // --pdeathsig, recorded in the twin's state file for twin:down).
      const supervisor = new Supervisor({
        logDir: path.join(podsDir, 'processes'),
        state: context.state,
        setpriv: tools.setpriv,
        ip: tools.ip,
        stopTimeoutMs: 2_000,
        // A container's environment is its own (PodRuntime passes it per process), not the twin's.
        env: {},
      });
      const runner = await startPodRunner({
        kubeConfig: context.kubeConfig,
        supervisor,
        state: context.state,
        tools: { ip: tools.ip!, bwrap: tools.bwrap! },
        node: {
          name: context.node.name,
          netns: context.node.netns,
          address: context.node.address,
          podCidr: context.node.podCidr,
          clusterDnsIp: context.node.clusterDnsIp,
          clusterDomain: context.node.clusterDomain,
        },
        podsDir,
        logsDir: context.node.podLogsDir,
        hook: paths,
        binaries: options.binaries ?? defaultBinaries,
        standIns: options.standIns ?? {},
        volumeSyncDelayMs: options.volumeSyncDelayMs ?? settings.TWIN_VOLUME_SYNC_MS,
        backoffMs: options.restartBackoffMs ?? settings.TWIN_RESTART_BACKOFF_MS,
        // The twin's teardown removes the whole cluster, as `kind delete cluster` removes its node
        // container at once: pods are not given their drain (pilot-agent's terminationDrainDuration
        // alone is 5 s). A pod deleted while the twin runs keeps its full grace period.
        stopGraceMs: options.stopGraceMs ?? 500,
        faults: activeFaultsReader(options.faultsFile),
        keepVisible: twinFilesVisible(options.faultsFile),
        log: (line) => context.log(`pods: ${line}`),
      });
      return {
        async stop() {
          await runner.stop();
          await supervisor.stopAll();
          for (const netns of await listPodNetns(context.node.netns, tools.ip!)) {
            await deleteNetns(netns, tools.ip);
            context.state.removeNetns(netns);
          }
          for (const entry of fs.readdirSync(podsDir)) {
            if (entry !== 'hook') fs.rmSync(path.join(podsDir, entry), { recursive: true, force: true });
          }
        },
      };
    },
  };
}

/** For twin:down after a killed run: the pod namespaces of a node and the runner's folders. */
export async function sweepPods(stateDir: string, nodeNetns: string, ip = 'ip'): Promise<string[]> {
  const swept: string[] = [];
  for (const netns of await listPodNetns(nodeNetns, ip).catch(() => [])) {
    if (await deleteNetns(netns, ip)) swept.push(`network namespace ${netns}`);
  }
  const podsDir = podsDirOf(stateDir);
  for (const entry of fs.existsSync(podsDir) ? fs.readdirSync(podsDir) : []) {
    if (entry === 'hook') continue;
    fs.rmSync(path.join(podsDir, entry), { recursive: true, force: true });
    swept.push(`pod runner folder ${entry}`);
  }
  return swept;
}
