// The kind target, end to end: prerequisites first (Docker, kubectl, checksums, network when a
// tool is downloaded), then the tools, then the plan's commands with progress; the suites get the
// cluster's kubeconfig and the ingress address. A cluster this run created is deleted again on a
// failure and by teardown(), unless kept; a cluster that was already there (reused by name) is
// left as it was found.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { UsageError, type Settings } from '../../helpers/config';
import { folderProblem } from '../../helpers/writable-folder';
import { toolDir } from './download';
import { fixtures, GATEWAY, kindConfigFor, kindPlan, overlayHub, shellLine, type Command, type KindPlan } from './kind-plan';
import { istioVersion, kindVersion, nodeImageFor, pins, type NodeImageChoice } from './pins';
import { currentPlatform, type Platform } from './platform';
import { checkKindPrerequisites, machineChecks, sentence, type MachineChecks } from './prerequisites';
import { formatDuration, step, type Log } from './progress';
import { firstLine, run } from './run';
import { describeToolPlan, ensureTool, machineProbe, planTool, type ToolPlan, type ToolProbe } from './tools';

export type KindSettings = Pick<
  Settings,
  | 'CACHE_DIR'
  | 'ISTIO_VERSION'
  | 'KIND_VERSION'
  | 'KIND_NODE_IMAGE'
  | 'KIND_CLUSTER_NAME'
  | 'KIND_HTTPS_HOST_PORT'
  | 'KEEP_CLUSTER'
  | 'TOOLS_BASE_URL'
  | 'KIND_SHA256'
  | 'ISTIOCTL_SHA256'
>;

export interface KindOptions {
  log: Log;
  checks?: MachineChecks;
  probe?: ToolProbe;
  platform?: Platform;
  /** Keep the cluster after teardown() (default: KEEP_CLUSTER). */
  keep?: boolean;
  signal?: AbortSignal;
}

/** A failed command of the plan: one line naming it, then the last lines of its output. */
export class ClusterStepError extends UsageError {
  override name = 'ClusterStepError';
}

export interface KindCluster {
  name: string;
  kubeconfig: string;
  /** host:port of the gateway's https port, for INGRESS_ADDRESS. */
  ingressAddress: string;
  istioVersion: string;
  nodeImage: string;
  /** False when a cluster of that name was already there. */
  created: boolean;
  kept: boolean;
  /** Deletes the cluster if this run created it and it is not kept. */
  teardown(): Promise<void>;
}

interface Prepared {
  platform: Platform;
  tools: { kind: ToolPlan; istioctl: ToolPlan };
  kubectl: string;
  nodeImage: NodeImageChoice;
  plan: KindPlan;
}

function baseUrl(settings: KindSettings): string {
  return settings.TOOLS_BASE_URL ?? pins.defaultBaseUrl;
}

async function planTools(settings: KindSettings, options: KindOptions, platform: Platform) {
  const context = { settings, platform, probe: options.probe ?? machineProbe };
  return { kind: await planTool('kind', context), istioctl: await planTool('istioctl', context) };
}

/** The binary a plan will run: known now, or where the download will put it. */
function binaryOf(plan: ToolPlan, cacheDir: string): string {
  return plan.source === 'path' || plan.source === 'cache' ? plan.binary : path.join(toolDir(cacheDir, plan.asset), plan.asset.binary);
}

async function prepare(settings: KindSettings, options: KindOptions, tools: Prepared['tools'], platform: Platform, write: boolean): Promise<Prepared> {
  const probe = options.probe ?? machineProbe;
  const nodeImage = nodeImageFor(settings);
  const kubectl = (await probe.which('kubectl')) ?? 'kubectl';
  const plan = kindPlan({
    settings,
    kind: binaryOf(tools.kind, settings.CACHE_DIR),
    istioctl: binaryOf(tools.istioctl, settings.CACHE_DIR),
    kubectl,
    nodeImage: nodeImage.image,
    kindConfig: await kindConfigFor(settings, write),
  });
  return { platform, tools, kubectl, nodeImage, plan };
}

/** `npm run cluster:up -- --dry-run`: what would run, in order, with versions; touches nothing. */
export async function dryRunLines(settings: KindSettings, options: Omit<KindOptions, 'log'> = {}): Promise<string[]> {
  return (await dryRun(settings, options)).lines;
}

/** The dry run's lines, and the reasons the real run would stop (none: it would go ahead). */
export async function dryRun(settings: KindSettings, options: Omit<KindOptions, 'log'> = {}): Promise<{ lines: string[]; stops: string[] }> {
  const platform = options.platform ?? currentPlatform();
  const tools = await planTools(settings, { ...options, log: () => {} }, platform);
  const { plan, nodeImage, kubectl } = await prepare(settings, { ...options, log: () => {} }, tools, platform, false);
  const downloads = Object.values(tools).some((t) => t.source === 'download');
  const refused = Object.values(tools).filter((t) => t.source === 'refused');
  const cacheProblem = await folderProblem(settings.CACHE_DIR);
  const stops = [
    ...refused.map((t) => (t.source === 'refused' ? t.reason : '')),
    ...(cacheProblem ? [`CACHE_DIR ${path.resolve(settings.CACHE_DIR)} cannot hold the cluster's files and tools: ${cacheProblem}; set CACHE_DIR to a folder you can write`] : []),
  ];
  const n = (() => {
    let i = 0;
    return () => `${String(++i).padStart(2)}.`;
  })();
  const lines = [
    `cluster:up (dry run) for kind cluster ${plan.clusterName} on ${platform.key}: kind ${kindVersion(settings)}, Istio ${istioVersion(settings)}`,
    `node image: ${nodeImage.image} (${nodeImage.why})`,
    `Istio images: ${overlayHub()}/{pilot,proxyv2}:${istioVersion(settings)} (hub pinned in fixtures/istio/gateway-overlay.yaml, tag istioctl's version)`,
    'tools:',
    `  ${describeToolPlan(tools.kind)}`,
    `  ${describeToolPlan(tools.istioctl)}`,
    `  kubectl: ${kubectl}${kubectl === 'kubectl' ? ' (not found on PATH: the real run stops here)' : ' (on PATH)'}`,
    `checked first (the real run stops with one line if one is missing): a Docker daemon answers (docker info), kubectl on PATH${
      downloads ? `, the network to ${baseUrl(settings)} (a tool is downloaded)` : ''
    }`,
    ...stops.map((reason) => `STOP: ${reason}`),
    'commands, in order:',
    `${n()} ${shellLine(plan.find.argv)}`,
    `${n()} if ${plan.clusterName} is listed (reuse): ${shellLine(plan.reuse.argv)}`,
    `     otherwise (create):  ${shellLine(plan.create.argv)}`,
    ...plan.install.map((command) => `${n()} ${shellLine(command.argv)}`),
    `${n()} ${shellLine(plan.checkNodePort.argv)}   (must print ${GATEWAY.httpsNodePort})`,
    `then the suites get: KUBECONFIG=${plan.kubeconfig} INGRESS_ADDRESS=${plan.ingressAddress}`,
    `teardown (npm run cluster:down; after npm test unless KEEP_CLUSTER=true, and only a cluster the run created): ${shellLine(plan.teardown.argv)}`,
  ];
  return { lines, stops };
}

/** Runs one command of the plan as a step with progress; its output lines are passed on indented. */
async function runStep(command: Command, options: KindOptions): Promise<string> {
  return step(command.title, options.log, async () => {
    const tail: string[] = [];
    const result = await run(command.argv, {
      timeoutMs: command.timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
      onLine: (line) => {
        options.log(`  | ${line}`);
        tail.push(line);
        if (tail.length > 15) tail.shift();
      },
    });
    if (result.exitCode !== 0) {
      const why = result.timedOut ? `no end within ${formatDuration(command.timeoutMs)}` : `exit ${result.exitCode ?? 'by signal'}: ${firstLine(result)}`;
      throw new ClusterStepError(`${command.title} failed (${why}); the command was: ${shellLine(command.argv)}`);
    }
    return result.stdout;
  });
}

/** Creates (or reuses) the cluster, installs Istio and httpbin, waits; the suites' inputs. */
export async function startKindTarget(settings: KindSettings, options: KindOptions): Promise<KindCluster> {
  const started = Date.now();
  const checks = options.checks ?? machineChecks;
  const platform = options.platform ?? currentPlatform();
  const keep = options.keep ?? settings.KEEP_CLUSTER === 'true';
  let tools: Prepared['tools'] | undefined;
  const prerequisites = await checkKindPrerequisites(checks, async () => {
    tools = await planTools(settings, options, platform);
    for (const plan of Object.values(tools)) if (plan.source === 'refused') throw new UsageError(plan.reason);
    return { needed: Object.values(tools).some((t) => t.source === 'download'), url: baseUrl(settings) };
  });
  options.log(`kind target: ${prerequisites.docker}, ${prerequisites.kubectl}${prerequisites.network ? `, ${prerequisites.network}` : ''}`);
  const downloadOptions = { cacheDir: settings.CACHE_DIR, log: options.log, ...(options.signal ? { signal: options.signal } : {}) };
  await ensureTool(tools!.kind, downloadOptions);
  await ensureTool(tools!.istioctl, downloadOptions);
  const { plan, nodeImage } = await prepare(settings, options, tools!, platform, true);
  options.log(`kind ${tools!.kind.asset.version}, istioctl ${tools!.istioctl.asset.version}, node image ${nodeImage.image} (${nodeImage.why})`);

  const listed = (await runStep(plan.find, { ...options, log: () => {} })).split('\n').map((line) => line.trim());
  const created = !listed.includes(plan.clusterName);
  const deleteCluster = async () => {
    await runStep(plan.teardown, options);
    await rm(path.dirname(plan.kubeconfig), { recursive: true, force: true });
  };
  await runStep(created ? plan.create : plan.reuse, options);
  try {
    for (const command of plan.install) await runStep(command, options);
    const nodePort = (await runStep(plan.checkNodePort, { ...options, log: () => {} })).trim();
    if (nodePort !== String(GATEWAY.httpsNodePort)) {
      throw new ClusterStepError(
        `the gateway Service's https NodePort is ${nodePort || 'missing'}, not ${GATEWAY.httpsNodePort}: the overlay ${path.relative(process.cwd(), fixtures.gatewayOverlay)} was not applied as expected`,
      );
    }
  } catch (error) {
    if (created && !keep) {
      options.log(`deleting the half-made cluster ${plan.clusterName} (KEEP_CLUSTER=true keeps it for a look)`);
      await deleteCluster().catch((cleanup: unknown) => options.log(`could not delete it: ${(cleanup as Error).message}`));
    }
    throw error;
  }
  options.log(`kind cluster ${plan.clusterName} ready in ${formatDuration(Date.now() - started)}: KUBECONFIG=${plan.kubeconfig} INGRESS_ADDRESS=${plan.ingressAddress}`);
  return {
    name: plan.clusterName,
    kubeconfig: plan.kubeconfig,
    ingressAddress: plan.ingressAddress,
    istioVersion: tools!.istioctl.asset.version,
    nodeImage: nodeImage.image,
    created,
    kept: keep,
    async teardown() {
      if (!created) return options.log(`kind cluster ${plan.clusterName} was there before this run: left as it was`);
      if (keep) return options.log(`kind cluster ${plan.clusterName} kept (KEEP_CLUSTER=true); delete it with npm run cluster:down`);
      await deleteCluster();
    },
  };
}

/** `npm run cluster:down`: deletes the kind cluster by name (kind's delete is a no-op when absent). */
export async function stopKindCluster(settings: KindSettings, options: KindOptions & { dryRun?: boolean }): Promise<string> {
  const platform = options.platform ?? currentPlatform();
  const probe = options.probe ?? machineProbe;
  const tools = await planTools(settings, options, platform);
  // Any kind deletes a cluster: the pinned one when it is here, else whichever is on PATH.
  const kind = tools.kind.source === 'path' || tools.kind.source === 'cache' ? tools.kind.binary : await probe.which('kind');
  const plan = kindPlan({ settings, kind: kind ?? binaryOf(tools.kind, settings.CACHE_DIR), istioctl: 'istioctl', kubectl: 'kubectl', nodeImage: '', kindConfig: '' });
  if (options.dryRun) return shellLine(plan.teardown.argv);
  if (!kind) {
    throw new UsageError(`no kind binary here (kind ${tools.kind.asset.version} is neither on PATH nor in ${settings.CACHE_DIR}/tools), so cluster:up made no cluster on this machine`);
  }
  const docker = await (options.checks ?? machineChecks).docker();
  if (!docker.ok) throw new UsageError(`cluster:down needs the Docker daemon that runs the kind cluster: ${sentence(docker.reason)}`);
  await runStep(plan.teardown, options);
  await rm(path.dirname(plan.kubeconfig), { recursive: true, force: true });
  return shellLine(plan.teardown.argv);
}
