// The whole twin, started for real from the cached binaries (never built here: a cold Go build
// is `npm run twin:build`'s job). Takes about a minute on a 2-core machine; see the report line.
import { describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually } from '../helpers/eventually';
import { startTwin } from './index';
import { cachedControlPlaneBinaries, cachedKubectl } from './binaries';
import { findTool, requireRoot } from './node/prerequisites';
import { nodeNames } from './node/names';
import { isSameProcessAlive } from './process/identity';
import { readState, stateFileName } from './process/state-file';
import { run } from './process/run';

describe('the twin (root, built binaries)', () => {
  test('starts, serves kubectl, gives a LoadBalancer the node address, and stops without leftovers', async () => {
    requireRoot('this test');
    const binaries = cachedControlPlaneBinaries(); // fails with "run npm run twin:build" when not built
    const kubectlBinary = cachedKubectl() ?? findTool('kubectl');
    if (!kubectlBinary) throw new Error('no kubectl: run npm run twin:build (it builds kubectl) or install one');
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'igc-twin-'));
    const kubeconfigOut = path.join(stateDir, 'out', 'kubeconfig');
    const lines: string[] = [];
    const twin = await startTwin({ stateDir, binaries, kubeconfigOut, log: (line) => lines.push(line) });
    const pids = readState(path.join(stateDir, stateFileName))!.processes.map((p) => ({ ...p }));
    const kubectl = (...args: string[]) => run(kubectlBinary, [`--kubeconfig=${kubeconfigOut}`, `--cache-dir=${path.join(stateDir, 'kubectl-cache')}`, ...args]);
    try {
      process.stdout.write(`twin started: control plane ${twin.controlPlaneMs} ms, total ${twin.totalMs} ms, ${twin.kubeVersion}, kubelet-stream ${twin.kubeletStream}\n`);
      expect(fs.statSync(kubeconfigOut).mode & 0o777).toBe(0o600);
      expect(pids.map((p) => p.name)).toEqual(expect.arrayContaining(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy', 'kwok']));

      const nodes = JSON.parse(await kubectl('get', 'nodes', '-o', 'json')) as { items: { metadata: { name: string }; spec: { podCIDR: string }; status: { addresses: { type: string; address: string }[]; conditions: { type: string; status: string }[] } }[] };
      expect(nodes.items).toHaveLength(1);
      const node = nodes.items[0]!;
      expect(node.metadata.name).toBe(twin.node.name);
      expect(node.spec.podCIDR).toBe('10.244.0.0/24');
      expect(node.status.addresses).toContainEqual({ type: 'InternalIP', address: twin.node.address });
      expect(node.status.conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'True' }));

      await kubectl('create', 'namespace', 'twin-smoke');
      await kubectl('-n', 'twin-smoke', 'create', 'configmap', 'settings', '--from-literal=greeting=hello');
      expect(await kubectl('-n', 'twin-smoke', 'get', 'configmap', 'settings', '-o', 'jsonpath={.data.greeting}')).toBe('hello');

      await kubectl('-n', 'twin-smoke', 'create', 'service', 'loadbalancer', 'front', '--tcp=443:8443');
      const ingress = await eventually(
        () => kubectl('-n', 'twin-smoke', 'get', 'service', 'front', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'),
        (ip) => ip === twin.node.address,
        { budgetMs: 30_000, converge: 1, expectation: 'the LoadBalancer ingress IP' },
      );
      expect(ingress).toBe(twin.node.address);
      // kube-proxy programs the LoadBalancer address in the node's nftables.
      await eventually(
        () => run('ip', ['netns', 'exec', twin.node.netns, 'nft', 'list', 'table', 'ip', 'kube-proxy']),
        (ruleset) => ruleset.includes(`${twin.node.address} . tcp . 443`),
        { budgetMs: 30_000, converge: 1, expectation: "kube-proxy's rule for the LoadBalancer address", render: (r) => r.slice(0, 2000) },
      );
    } finally {
      await twin.stop();
    }

    const names = nodeNames(stateDir);
    expect(pids.filter((p) => isSameProcessAlive(p)).map((p) => p.name)).toEqual([]);
    expect(await run('ip', ['netns', 'list'])).not.toContain(names.netns);
    expect(await run('ip', ['link', 'show'])).not.toContain(names.hostLink);
    expect(fs.existsSync(path.join(stateDir, stateFileName))).toBe(false);
    fs.rmSync(stateDir, { recursive: true, force: true });
  }, 240_000);
});
