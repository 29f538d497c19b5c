// A pod's network: its own namespace wired to the node's as the CNI ptp plugin wires it. A veth
// pair, the pod end `eth0` holding the pod IP as a /32 with a default route via the gateway (the
// pod CIDR's first address, held as a /32 by the node end of every pod's veth), and on the node a
// /32 host route to the pod IP through that veth. `lo` is up, so each pod has its own 127.0.0.1,
// and two pods can both listen on :8080.
import { run } from '../process/run';
import { deleteNetns } from '../node/netns';

export interface PodNetworkSpec {
  nodeNetns: string;
  podNetns: string;
  /** Name of the veth's node end (at most 15 characters). */
  nodeLink: string;
  podIP: string;
  gateway: string;
}

/** Kernel object names for a pod, derived from the node's namespace and the pod's uid. */
export function podNetworkNames(nodeNetns: string, uid: string): { podNetns: string; nodeLink: string } {
  const short = uid.replace(/-/g, '').slice(0, 11);
  return { podNetns: `${nodeNetns}-pod-${short.slice(0, 8)}`, nodeLink: `veth${short}` };
}

/** Creates the namespace and the wiring; on failure half-way, removes what it made. */
export async function createPodNetwork(spec: PodNetworkSpec, ip = 'ip'): Promise<void> {
  const { nodeNetns, podNetns, nodeLink, podIP, gateway } = spec;
  await run(ip, ['netns', 'add', podNetns]);
  try {
    await run(ip, ['-n', nodeNetns, 'link', 'add', nodeLink, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', podNetns]);
    await run(ip, ['-n', podNetns, '-batch', '-'], {
      input: [
        'link set lo up',
        `addr add ${podIP}/32 dev eth0`,
        'link set eth0 up',
        `route add ${gateway}/32 dev eth0 scope link`,
        `route add default via ${gateway} dev eth0 src ${podIP}`,
      ].join('\n'),
    });
    await run(ip, ['-n', nodeNetns, '-batch', '-'], {
      input: [
        `addr add ${gateway}/32 dev ${nodeLink}`,
        `link set ${nodeLink} up`,
        `route add ${podIP}/32 dev ${nodeLink} scope link src ${gateway}`,
      ].join('\n'),
    });
  } catch (error) {
    await removePodNetwork(spec, ip).catch(() => undefined);
    throw error;
  }
}

/** Removes the namespace (the veth pair goes with it, and the node's route with the veth). */
export async function removePodNetwork(spec: Pick<PodNetworkSpec, 'podNetns'>, ip = 'ip'): Promise<boolean> {
  return deleteNetns(spec.podNetns, ip);
}

/** Every pod namespace of a node still present (for the sweep after a killed run). */
export async function listPodNetns(nodeNetns: string, ip = 'ip'): Promise<string[]> {
  const out = await run(ip, ['-j', 'netns', 'list']);
  const list = out.trim() ? (JSON.parse(out) as { name: string }[]) : [];
  return list.map((entry) => entry.name).filter((name) => name.startsWith(`${nodeNetns}-pod-`));
}
