// Starts the control plane inside the node, in dependency order, and waits until it serves:
//   etcd + kube-apiserver (the API server retries etcd until it answers)
//   -> the Node object (so kube-proxy finds the node address at once)
//   -> kube-controller-manager, kube-scheduler, kube-proxy, kwok, twin-kubelet-stream, together
//   -> ready: /readyz and /healthz of each, the node Ready, the `default` ServiceAccount made,
//      and kube-proxy's nftables table holding the `kubernetes` Service.
import fs from 'node:fs';
import path from 'node:path';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { run } from '../process/run';
import type { Supervisor, SupervisedProcess } from '../process/supervisor';
import { apiServiceIp, clusterCidr, podCidr } from '../node/addresses';
import {
  apiserverSpec,
  controllerManagerSpec,
  etcdSpec,
  kubeletStreamSpec,
  kubeProxySpec,
  kwokSpec,
  schedulerSpec,
  type ControlPlaneLayout,
} from './components';
import { kubeProxyConfig, kwokStages } from './configs';
import { createNode, nodeIsReady } from './node-object';
import { ports } from './ports';
import { httpGet, waitHttpOk, waitLogLine, waitWhileRunning } from './readiness';

export interface ControlPlaneBinaries {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kubeProxy: string;
  kwok: string;
  /** Absent when not built: kwok then serves the node's kubelet endpoint itself. */
  kubeletStream?: string;
}

export interface ControlPlaneStartInput {
  layout: ControlPlaneLayout;
  binaries: ControlPlaneBinaries;
  supervisor: Supervisor;
  netns: string;
  ip: string;
  nft: string;
  /** The pod runner's hook for exec and port-forward (see twin-kubelet-stream). */
  kubeletHook: string;
  podLogsDir: string;
  kubeConfig: KubeConfig;
  /** Budget of each wait (default 90 s: a cold page cache on a busy 2-core machine is slow). */
  budgetMs?: number;
  log: (line: string) => void;
  /** Milestones with their time since the first component started (quiet unless asked). */
  progress?: (line: string) => void;
}

export interface ControlPlane {
  kubeVersion: string;
  /** Whether twin-kubelet-stream serves the node's kubelet endpoint (else kwok does). */
  kubeletStream: boolean;
}

export async function startControlPlane(input: ControlPlaneStartInput): Promise<ControlPlane> {
  const { layout, binaries, supervisor, netns } = input;
  const budgetMs = input.budgetMs ?? 90_000;
  const inNode = (spec: ReturnType<typeof etcdSpec>) => supervisor.start({ ...spec, netns });
  const node = layout.nodeAddress;
  const ca = fs.readFileSync(layout.pki.caCert, 'utf8');
  const admin = { ca, cert: fs.readFileSync(layout.pki.adminCert, 'utf8'), key: fs.readFileSync(layout.pki.adminKey, 'utf8') };

  // A new cluster at every start: tests begin from a known state, and etcd starts in a moment.
  fs.rmSync(layout.etcdDataDir, { recursive: true, force: true });
  for (const dir of [layout.configDir, layout.certDir, layout.homeDir, input.podLogsDir]) fs.mkdirSync(dir, { recursive: true });
  const kubeProxyConfigFile = path.join(layout.configDir, 'kube-proxy.yaml');
  fs.writeFileSync(kubeProxyConfigFile, kubeProxyConfig({ kubeconfig: layout.kubeconfig, nodeName: layout.nodeName, clusterCidr, healthzPort: ports.kubeProxyHealthz }));
  const kwokConfigFile = path.join(layout.configDir, 'kwok.yaml');
  fs.writeFileSync(kwokConfigFile, kwokStages());

  const t0 = Date.now();
  const mark = (what: string) => input.progress?.(`${what} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  const etcd = inNode(etcdSpec(binaries.etcd, layout));
  const apiserver = inNode(apiserverSpec(binaries.kubeApiserver, layout));
  await waitLogLine(etcd, /etcd: ready/, budgetMs);
  mark('etcd ready');
  await waitHttpOk(apiserver, `https://${node}:${ports.apiserver}/readyz`, { ...admin, budgetMs });
  const version = JSON.parse((await httpGet(`https://${node}:${ports.apiserver}/version`, admin)).body) as { gitVersion: string };
  mark(`kube-apiserver ${version.gitVersion} ready`);

  const core = input.kubeConfig.makeApiClient(CoreV1Api);
  await createNode(core, { name: layout.nodeName, address: node, podCidr, kubeVersion: version.gitVersion });

  const kubeletStream = binaries.kubeletStream !== undefined;
  const started: Record<string, SupervisedProcess> = {
    controllerManager: inNode(controllerManagerSpec(binaries.kubeControllerManager, layout)),
    scheduler: inNode(schedulerSpec(binaries.kubeScheduler, layout)),
    kubeProxy: inNode(kubeProxySpec(binaries.kubeProxy, kubeProxyConfigFile)),
    kwok: inNode(kwokSpec(binaries.kwok, layout, kwokConfigFile, !kubeletStream)),
  };
  if (binaries.kubeletStream) {
    started.kubeletStream = inNode(kubeletStreamSpec(binaries.kubeletStream, layout, input.kubeletHook, input.podLogsDir));
  }

  const insecure = { budgetMs };
  const marked = <T>(what: string, wait: Promise<T>) => wait.then((value) => (mark(what), value));
  await Promise.all([
    marked('kube-controller-manager healthy', waitHttpOk(started.controllerManager!, `https://${node}:${ports.controllerManager}/healthz`, insecure)),
    marked('kube-scheduler ready', waitHttpOk(started.scheduler!, `https://${node}:${ports.scheduler}/readyz`, insecure)),
    marked('kube-proxy healthy', waitHttpOk(started.kubeProxy!, `http://${node}:${ports.kubeProxyHealthz}/healthz`, insecure)),
    marked(
      'kwok healthy',
      kubeletStream
        ? waitHttpOk(started.kwok!, `http://${node}:${ports.kwok}/healthz`, insecure)
        : waitHttpOk(started.kwok!, `https://${node}:${ports.kubelet}/healthz`, insecure),
    ),
    started.kubeletStream
      ? marked('twin-kubelet-stream healthy', waitHttpOk(started.kubeletStream, `https://${node}:${ports.kubelet}/healthz`, { ...admin, budgetMs }))
      : Promise.resolve(),
    marked(
      `node ${layout.nodeName} Ready`,
      waitWhileRunning(started.kwok!, () => core.readNode({ name: layout.nodeName }), nodeIsReady, {
        budgetMs,
        expectation: `node ${layout.nodeName} to be Ready`,
      }),
    ),
    marked(
      'default ServiceAccount made',
      waitWhileRunning(
        started.controllerManager!,
        () => core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' }),
        (sa) => sa.metadata?.name === 'default',
        { budgetMs, expectation: 'the default ServiceAccount' },
      ),
    ),
    marked(
      'kube-proxy rules programmed',
      waitWhileRunning(
        started.kubeProxy!,
        () => run(input.ip, ['netns', 'exec', netns, input.nft, 'list', 'table', 'ip', 'kube-proxy']),
        (ruleset) => ruleset.includes(apiServiceIp),
        { budgetMs, expectation: `kube-proxy's nftables rules for the kubernetes Service (${apiServiceIp})` },
      ),
    ),
  ]);
  return { kubeVersion: version.gitVersion, kubeletStream };
}
