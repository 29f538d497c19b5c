// One pod on the twin's node, from scheduling to deletion, as a kubelet runs it: image programs
// resolved, the pod's network namespace, its volumes (kept in sync after a kubelet-like delay),
// init containers in order, then the containers, with the status written back at each change.
// On deletion: SIGTERM, SIGKILL after the grace period, everything removed, the object deleted.
import { istioSourceFile } from '../istio/source';
import type { ActiveFaults } from '../faults/active';
import { readinessFailed, secretVolumeFiles, volumeSyncSkipped } from '../faults/pod-runner';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { PatchStrategy, setHeaderOptions, type CoreV1Api, type V1Container, type V1Pod, type V1Service } from '@kubernetes/client-node';
import type { StateFile } from '../process/state-file';
import type { Supervisor } from '../process/supervisor';
import { writeAtomically } from './atomic-writer';
import { ContainerRunner, type ContainerHost, type LaunchPlan } from './container';
import type { PodRuntimeFacts } from './downward';
import { containerEnv, expandArgv, type ObjectLookup } from './env';
import { publishContainer, publishPod, unpublishContainer, unpublishPod, type HookPaths } from './hook';
import { containerArgv, defaultPath, findImageProgram, neededSources, unknownImageMessage, type ImageProgram } from './images';
import type { IpPool } from './ip-pool';
import { hostsFile, podHostname, resolvConf } from './pod-files';
import { createPodNetwork, podNetworkNames, removePodNetwork } from './pod-network';
import { podStatus, type PodView } from './status';
import { PodTokens, tokenProjections } from './tokens';
import { viewArgs, type ViewMount } from './view';
import { isProjectedKind, planVolume, VolumeNotReady, type VolumePlan } from './volumes';

export interface RunnerLookup extends ObjectLookup {
  services(): V1Service[];
}

/** What every pod shares: the node, the tools, the caches, the settings. */
export interface PodDeps {
  core: CoreV1Api;
  supervisor: Supervisor;
  state: StateFile;
  tools: { ip: string; bwrap: string };
  node: { name: string; netns: string; address: string; clusterDnsIp: string; clusterDomain: string; allocatable?: Record<string, string> };
  ipPool: IpPool;
  podsDir: string;
  logsDir: string;
  hook: HookPaths;
  lookup: RunnerLookup;
  /** Paths of built binaries by twin/build name; rejects with a readable reason. */
  binaries(names: string[]): Promise<Record<string, string>>;
  standIns: Record<string, string>;
  volumeSyncDelayMs: number;
  backoffMs: number;
  /** Host folders the pods' views keep visible (view.ts twinFilesVisible); default: the checkout. */
  keepVisible?: string[];
  /** The active faults (twin/faults/pod-runner.ts): in the volume sync and the reported readiness. */
  faults: () => ActiveFaults;
  log(line: string): void;
}

/** How soon a volume a fault held back is written again (its material is made within a second). */
const FAULT_MATERIAL_RETRY_MS = 200;

interface Resolved {
  program: ImageProgram;
  /** view path → host path of the program's installed files */
  installs: ViewMount[];
}

export class PodRuntime {
  private pod: V1Pod;
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  private readonly dir: string;
  private readonly podNetns: string;
  private podIP: string | undefined;
  private readonly view: PodView;
  private readonly runners = new Map<string, ContainerRunner>();
  private readonly initRunners: ContainerRunner[] = [];
  private readonly resolved = new Map<string, Resolved>();
  private tokens: PodTokens | undefined;
  private volumesReady = false;
  private syncTimer: NodeJS.Timeout | undefined;
  private statusDirty = false;
  private statusWriting: Promise<void> | undefined;
  private terminating: Promise<void> | undefined;
  private readonly aborter = new AbortController();
  private gone = false;
  private wakeSetUp: (() => void) | undefined;
  /** The network set-up in progress: a deletion waits for it before removing the namespace. */
  private networkSetUp: Promise<void> | undefined;

  constructor(
    pod: V1Pod,
    private readonly deps: PodDeps,
  ) {
    this.pod = pod;
    this.uid = pod.metadata!.uid!;
    this.namespace = pod.metadata!.namespace!;
    this.name = pod.metadata!.name!;
    this.dir = path.join(deps.podsDir, this.uid);
    this.podNetns = pod.spec?.hostNetwork ? deps.node.netns : podNetworkNames(deps.node.netns, this.uid).podNetns;
    this.view = {
      hostIP: deps.node.address,
      sandboxReady: false,
      initialized: !(pod.spec?.initContainers?.length),
      initContainers: [],
      containers: [],
    };
    for (const c of pod.spec?.initContainers ?? []) this.initRunners.push(new ContainerRunner(c, this.containerHost(c), 'init'));
    for (const c of pod.spec?.containers ?? []) this.runners.set(c.name, new ContainerRunner(c, this.containerHost(c), 'main'));
    this.view.initContainers = this.initRunners.map((r) => r.view);
    this.view.containers = [...this.runners.values()].map((r) => r.view);
  }

  get key(): string {
    return `${this.namespace}/${this.name}`;
  }

  /** A newer copy of the pod object (labels and annotations feed downwardAPI volumes). */
  update(pod: V1Pod): void {
    const before = JSON.stringify([this.pod.metadata?.labels, this.pod.metadata?.annotations]);
    this.pod = pod;
    if (JSON.stringify([pod.metadata?.labels, pod.metadata?.annotations]) !== before) this.scheduleVolumeSync();
  }

  /** Whether a Secret or ConfigMap change concerns this pod. */
  references(kind: 'secret' | 'configmap', namespace: string, name: string): boolean {
    if (namespace !== this.namespace) return false;
    for (const v of this.pod.spec?.volumes ?? []) {
      if (kind === 'secret' && v.secret?.secretName === name) return true;
      if (kind === 'configmap' && v.configMap?.name === name) return true;
      for (const s of v.projected?.sources ?? []) {
        if (kind === 'secret' && s.secret?.name === name) return true;
        if (kind === 'configmap' && s.configMap?.name === name) return true;
      }
    }
    // Env references are read at each container start; nothing to do now.
    return false;
  }

  /** A referenced Secret or ConfigMap changed: rewrite volumes after the sync delay. */
  sourceChanged(): void {
    if (!this.volumesReady) {
      this.wakeSetUp?.();
      return;
    }
    this.scheduleVolumeSync();
  }

  async start(): Promise<void> {
    try {
      this.view.startTime = new Date();
      this.changed();
      // Containers with an image the table lacks wait with ErrImagePull; the others run.
      await this.resolveImages();
      this.networkSetUp = this.setUpNetwork();
      await this.networkSetUp;
      if (this.aborter.signal.aborted) return;
      await this.setUpVolumes();
      if (this.aborter.signal.aborted) return;
      for (const runner of this.initRunners) {
        if (!this.resolved.has(runner.spec.name)) return;
        void runner.run();
        const code = await runner.finished;
        if (this.aborter.signal.aborted) return;
        if (code !== 0) {
          this.view.terminalPhase = 'Failed';
          this.changed();
          return;
        }
      }
      this.view.initialized = true;
      this.changed();
      const runs = [...this.runners.values()].filter((r) => this.resolved.has(r.spec.name)).map(async (r) => {
        void r.run();
        return r.finished;
      });
      const codes = await Promise.all(runs);
      if (this.aborter.signal.aborted || codes.length !== this.runners.size) return;
      this.view.terminalPhase = codes.every((c) => c === 0) ? 'Succeeded' : 'Failed';
      this.changed();
    } catch (error) {
      if (this.aborter.signal.aborted) return;
      const message = error instanceof Error ? error.message : String(error);
      this.deps.log(`pod ${this.key}: ${message}`);
      this.view.message = message;
      for (const r of [...this.initRunners, ...this.runners.values()]) if (!r.view.state.running) r.wait('ContainerCreating', message);
      this.changed();
    }
  }

  /** Pod deletion (or the twin stopping): stop the containers, remove everything of the pod. */
  terminate(graceMs: number, deleteObject: boolean): Promise<void> {
    this.terminating ??= this.doTerminate(graceMs, deleteObject);
    return this.terminating;
  }

  private async doTerminate(graceMs: number, deleteObject: boolean): Promise<void> {
    this.aborter.abort();
    this.wakeSetUp?.();
    clearTimeout(this.syncTimer);
    this.tokens?.stop();
    const runners = [...this.initRunners, ...this.runners.values()];
    await Promise.all(runners.map((r) => r.stop(graceMs)));
    await this.networkSetUp?.catch(() => undefined);
    unpublishPod(this.deps.hook, this.namespace, this.name);
    if (!this.pod.spec?.hostNetwork) {
      await removePodNetwork({ podNetns: this.podNetns }, this.deps.tools.ip).catch((e: unknown) => this.deps.log(`pod ${this.key}: removing ${this.podNetns}: ${String(e)}`));
      this.deps.state.removeNetns(this.podNetns);
    }
    this.deps.ipPool.release(this.uid);
    this.gone = true;
    await this.statusWriting?.catch(() => undefined);
    fs.rmSync(this.dir, { recursive: true, force: true });
    fs.rmSync(path.join(this.deps.logsDir, `${this.namespace}_${this.name}`), { recursive: true, force: true });
    if (deleteObject) {
      // What the kubelet does once the containers are gone: the final delete, grace 0, for this uid.
      await this.deps.core
        .deleteNamespacedPod({ name: this.name, namespace: this.namespace, gracePeriodSeconds: 0, body: { preconditions: { uid: this.uid } } })
        .catch(() => undefined);
    }
  }

  // --- images ---------------------------------------------------------------------------------

  private async resolveImages(): Promise<boolean> {
    let all = true;
    const containers = [...(this.pod.spec?.initContainers ?? []), ...(this.pod.spec?.containers ?? [])];
    for (const container of containers) {
      const runner = this.runnerFor(container.name)!;
      const image = container.image ?? '';
      const program = findImageProgram(image);
      if (!program) {
        runner.wait('ErrImagePull', unknownImageMessage(image));
        all = false;
        continue;
      }
      const { binaries } = neededSources(program);
      try {
        const built = binaries.length ? await this.deps.binaries(binaries) : {};
        const installs: ViewMount[] = program.install.map((item) => {
          const from = item.from;
          const file = 'file' in from ? from.file : 'istioSource' in from ? istioSourceFile(from.istioSource) : undefined;
          const source = 'binary' in from ? built[from.binary] : 'standIn' in from ? this.deps.standIns[from.standIn] : file && fs.existsSync(file) ? file : undefined;
          if (!source) {
            const what = 'binary' in from ? `binary ${from.binary}` : 'standIn' in from ? `stand-in ${from.standIn}` : `file ${file}`;
            throw new Error(`the twin has no ${what} (for ${item.at})`);
          }
          return { dest: item.at, source, readOnly: true };
        });
        this.resolved.set(container.name, { program, installs });
      } catch (error) {
        runner.wait('ErrImagePull', `Failed to pull image "${image}": ${error instanceof Error ? error.message : String(error)}`);
        all = false;
      }
    }
    return all;
  }

  private runnerFor(name: string): ContainerRunner | undefined {
    return this.runners.get(name) ?? this.initRunners.find((r) => r.spec.name === name);
  }

  // --- network --------------------------------------------------------------------------------

  private async setUpNetwork(): Promise<void> {
    if (this.pod.spec?.hostNetwork) {
      this.podIP = this.deps.node.address;
    } else {
      const existing = this.pod.status?.podIP;
      this.podIP = existing && this.deps.ipPool.reserve(existing, this.uid) ? existing : this.deps.ipPool.allocate(this.uid);
      const names = podNetworkNames(this.deps.node.netns, this.uid);
      this.deps.state.addNetns(names.podNetns);
      await createPodNetwork({ nodeNetns: this.deps.node.netns, podNetns: names.podNetns, nodeLink: names.nodeLink, podIP: this.podIP, gateway: this.deps.ipPool.gateway }, this.deps.tools.ip);
    }
    publishPod(this.deps.hook, this.namespace, this.name, this.podNetns);
    this.view.podIP = this.podIP;
    this.view.sandboxReady = true;
    this.changed();
  }

  private facts(): PodRuntimeFacts {
    return { podIP: this.podIP ?? '', hostIP: this.deps.node.address, nodeAllocatable: this.deps.node.allocatable };
  }

  // --- volumes --------------------------------------------------------------------------------

  private volumeDir(name: string): string {
    return path.join(this.dir, 'volumes', name);
  }

  /** Mounts every volume before any container starts; waits (retrying on changes) while one cannot be. */
  private async setUpVolumes(): Promise<void> {
    this.tokens = new PodTokens(this.deps.core, this.pod, () => this.scheduleVolumeSync(0), this.deps.log);
    for (;;) {
      if (this.aborter.signal.aborted) return;
      try {
        await this.tokens.ensure(tokenProjections(this.pod));
        const complete = this.writeVolumes(true);
        this.writePodFiles();
        this.volumesReady = true;
        if (!complete) this.scheduleVolumeSync(FAULT_MATERIAL_RETRY_MS);
        if (this.view.message) {
          this.view.message = undefined;
          this.changed();
        }
        return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (this.view.message !== message) this.deps.log(`pod ${this.key}: ${message}`);
        this.view.message = message;
        for (const r of [...this.initRunners, ...this.runners.values()]) if (!r.view.state.running && r.view.state.waiting?.reason !== 'ErrImagePull') r.wait('ContainerCreating');
        this.changed();
        // The kubelet retries mounts; a change of the missing object wakes us sooner.
        await new Promise<void>((resolve) => {
          this.wakeSetUp = resolve;
          setTimeout(resolve, 10_000).unref();
        });
        this.wakeSetUp = undefined;
        await delay(0);
      }
    }
  }

  /**
   * Writes every volume's files; `strict` throws VolumeNotReady for a missing source (first mount).
   * Returns false when a fault held a volume back until its material exists (sync again soon).
   */
  private writeVolumes(strict: boolean): boolean {
    let complete = true;
    const ctx = { pod: this.pod, facts: this.facts(), lookup: this.deps.lookup, token: (p: Parameters<PodTokens['get']>[0]) => this.tokens?.get(p) };
    for (const volume of this.pod.spec?.volumes ?? []) {
      let plan: VolumePlan;
      try {
        plan = planVolume(volume, ctx);
      } catch (error) {
        // After the first mount the kubelet keeps the old contents when the source disappears.
        if (strict || !(error instanceof VolumeNotReady)) throw error;
        continue;
      }
      const dir = this.volumeDir(volume.name);
      const secretName = volume.secret?.secretName;
      const faults = this.deps.faults();
      // Fault secret-not-mounted: the kubelet never syncs the doc's server secret after the first mount.
      if (!strict && volumeSyncSkipped(faults, secretName)) continue;
      if (plan.kind === 'files') {
        const files = secretName ? secretVolumeFiles(faults, secretName, plan.files) : plan.files;
        if (files === 'wait') {
          complete = false;
          if (strict) writeAtomically(dir, []); // the pod can start; the files follow
          continue;
        }
        writeAtomically(dir, files);
      } else if (plan.kind === 'emptyDir') fs.mkdirSync(dir, { recursive: true, mode: 0o777 });
      else if (plan.kind === 'unsupported') throw new VolumeNotReady(plan.message);
    }
    return complete;
  }

  private scheduleVolumeSync(delayMs = this.deps.volumeSyncDelayMs): void {
    if (!this.volumesReady || this.aborter.signal.aborted) return;
    if (this.syncTimer && delayMs > 0) return; // one sync pending already covers this change
    clearTimeout(this.syncTimer);
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      if (this.aborter.signal.aborted) return;
      try {
        if (!this.writeVolumes(false)) this.scheduleVolumeSync(FAULT_MATERIAL_RETRY_MS);
      } catch (error) {
        this.deps.log(`pod ${this.key}: volume sync: ${error instanceof Error ? error.message : String(error)}`);
      }
    }, delayMs);
    this.syncTimer.unref();
  }

  private etcDir(): string {
    return path.join(this.dir, 'etc');
  }

  private writePodFiles(): void {
    const etc = this.etcDir();
    fs.mkdirSync(etc, { recursive: true });
    fs.writeFileSync(path.join(etc, 'hosts'), hostsFile(this.pod, this.podIP ?? '', this.deps.node.clusterDomain));
    fs.writeFileSync(path.join(etc, 'hostname'), `${podHostname(this.pod)}\n`);
    const resolv = resolvConf(this.pod, this.deps.node.clusterDnsIp, this.deps.node.clusterDomain);
    if (resolv !== undefined) fs.writeFileSync(path.join(etc, 'resolv.conf'), resolv);
  }

  // --- containers -----------------------------------------------------------------------------

  private containerHost(container: V1Container): ContainerHost {
    const logDir = path.join(this.deps.logsDir, `${this.namespace}_${this.name}`);
    const policy = (this.pod.spec?.restartPolicy ?? 'Always') as ContainerHost['restartPolicy'];
    const self = this;
    return {
      supervisor: this.deps.supervisor,
      ip: this.deps.tools.ip,
      bwrap: this.deps.tools.bwrap,
      get podNetns() {
        return self.podNetns;
      },
      get podIP() {
        return self.podIP ?? '';
      },
      podKey: this.key,
      uid: this.uid,
      get logFile() {
        fs.mkdirSync(logDir, { recursive: true });
        return path.join(logDir, `${container.name}.log`);
      },
      runDir: path.join(this.dir, 'run'),
      restartPolicy: policy,
      terminationGraceMs: (this.pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000,
      backoffMs: this.deps.backoffMs,
      plan: () => this.launchPlan(container),
      publish: (prefix) => {
        if (prefix) publishContainer(this.deps.hook, this.namespace, this.name, container.name, prefix);
        else unpublishContainer(this.deps.hook, this.namespace, this.name, container.name);
      },
      readinessFailed: () => readinessFailed(this.deps.faults(), this.pod.metadata?.labels),
      changed: () => this.changed(),
      log: (line) => this.deps.log(line),
    };
  }

  private launchPlan(container: V1Container): LaunchPlan {
    const resolved = this.resolved.get(container.name);
    if (!resolved) throw new Error(`no program for image ${container.image}`);
    const { program, installs } = resolved;
    const env = containerEnv({
      pod: this.pod,
      container,
      facts: this.facts(),
      lookup: this.deps.lookup,
      imageEnv: { PATH: defaultPath, HOSTNAME: podHostname(this.pod), HOME: '/root', ...(program.env ?? {}) },
      services: this.deps.lookup.services(),
    });
    const argv = expandArgv(containerArgv(program, container), env);
    const mounts: ViewMount[] = [...installs];
    const etc = this.etcDir();
    mounts.push({ dest: '/etc/hosts', source: path.join(etc, 'hosts'), readOnly: false });
    mounts.push({ dest: '/etc/hostname', source: path.join(etc, 'hostname'), readOnly: false });
    if (fs.existsSync(path.join(etc, 'resolv.conf'))) mounts.push({ dest: '/etc/resolv.conf', source: path.join(etc, 'resolv.conf'), readOnly: false });
    for (const mount of container.volumeMounts ?? []) {
      const volume = this.pod.spec?.volumes?.find((v) => v.name === mount.name);
      if (!volume) throw new Error(`volumeMount ${mount.name}: no such volume`);
      let source = volume.hostPath ? volume.hostPath.path : this.volumeDir(volume.name);
      const subPath = mount.subPath || (mount.subPathExpr ? expandArgv([mount.subPathExpr], env)[0] : undefined);
      if (subPath) {
        source = path.join(source, subPath);
        if (!isProjectedKind(volume) && !fs.existsSync(source)) fs.mkdirSync(source, { recursive: true });
        source = fs.realpathSync(source); // a subPath into a ..data symlink: the file it points at now
      }
      mounts.push({ dest: mount.mountPath, source, readOnly: Boolean(mount.readOnly) || isProjectedKind(volume) });
    }
    // The container's /tmp: one folder for the program and every exec into it.
    const tmpDir = path.join(this.dir, 'tmp', container.name);
    fs.mkdirSync(tmpDir, { recursive: true });
    fs.chmodSync(tmpDir, 0o1777);
    return {
      argv,
      env,
      viewArgs: viewArgs({ mounts, hostname: podHostname(this.pod), cwd: container.workingDir, tmpDir, keepVisible: this.deps.keepVisible }),
    };
  }

  // --- status ---------------------------------------------------------------------------------

  private changed(): void {
    if (this.gone) return;
    this.statusDirty = true;
    if (this.statusWriting) return;
    this.statusWriting = (async () => {
      // Coalesce a burst of changes into one write; keep writing while changes arrive.
      while (this.statusDirty && !this.gone) {
        this.statusDirty = false;
        await delay(50);
        await this.writeStatus();
      }
      this.statusWriting = undefined;
    })();
  }

  private async writeStatus(): Promise<void> {
    const status = podStatus(this.pod, this.view);
    try {
      const written = await this.deps.core.patchNamespacedPodStatus(
        { name: this.name, namespace: this.namespace, body: { metadata: { uid: this.uid }, status } },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      );
      if (written.metadata?.uid === this.uid) this.pod = { ...this.pod, status: written.status };
    } catch (error) {
      const code = (error as { code?: number }).code;
      if (code === 404 || code === 409 || code === 422) return; // deleted (or replaced by a pod of the same name)
      this.deps.log(`pod ${this.key}: writing status failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }
}
