// The twin's node: a network namespace of its own (as a kind node is a container), joined to the
// host by a veth pair on a /30. Inside it: lo up, a route for the Service range (so locally
// originated traffic to a ClusterIP reaches kube-proxy's nftables DNAT) and IPv4 forwarding (so
// the node can route to pod namespaces). The host gets only the /30 on its end of the veth: its
// forwarding setting and its other routes stay as they were.
import { CommandError, run } from '../process/run';
import type { NodeSubnet } from './addresses';

export interface NodeNetworkSpec {
  netns: string;
  hostLink: string;
  nodeLink: string;
  subnet: NodeSubnet;
  serviceCidr: string;
}

export interface NodeNetwork extends NodeNetworkSpec {
  hostAddress: string;
  nodeAddress: string;
}

/** Creates the namespace and the veth pair; on a failure half-way, removes what it made. */
export async function createNodeNetwork(spec: NodeNetworkSpec, ip = 'ip'): Promise<NodeNetwork> {
  const { netns, hostLink, nodeLink, subnet } = spec;
  const cidr = (address: string) => `${address}/${subnet.prefixLength}`;
  if (await netnsExists(netns, ip)) {
    throw new Error(`network namespace ${netns} already exists (a run that was killed?): run npm run twin:down first`);
  }
  await run(ip, ['netns', 'add', netns]);
  try {
    await run(ip, ['link', 'add', hostLink, 'type', 'veth', 'peer', 'name', nodeLink, 'netns', netns]);
    await run(ip, ['addr', 'add', cidr(subnet.hostAddress), 'dev', hostLink]);
    await run(ip, ['link', 'set', hostLink, 'up']);
    await run(ip, ['-n', netns, 'addr', 'add', cidr(subnet.nodeAddress), 'dev', nodeLink]);
    await run(ip, ['-n', netns, 'link', 'set', nodeLink, 'up']);
    await run(ip, ['-n', netns, 'link', 'set', 'lo', 'up']);
    await run(ip, ['-n', netns, 'route', 'add', spec.serviceCidr, 'dev', 'lo']);
    // /proc/sys/net shows the namespace of the process that opens it: this sets the node's own.
    await run(ip, ['netns', 'exec', netns, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward']);
  } catch (error) {
    await removeNodeNetwork({ netns, hostLink }, ip);
    throw error;
  }
  return { ...spec, hostAddress: subnet.hostAddress, nodeAddress: subnet.nodeAddress };
}

/**
 * Removes the host end of the veth (which takes its peer with it) and the namespace. Absent objects
 * are fine: this is also the sweep after a killed run. Returns what it actually removed.
 */
export async function removeNodeNetwork(names: { netns: string; hostLink: string }, ip = 'ip'): Promise<string[]> {
  const removed: string[] = [];
  if (await deleteLink(names.hostLink, ip)) removed.push(`veth ${names.hostLink}`);
  if (await deleteNetns(names.netns, ip)) removed.push(`network namespace ${names.netns}`);
  return removed;
}

/** Deletes a host link; false when there was none. */
export async function deleteLink(link: string, ip = 'ip'): Promise<boolean> {
  if (!(await linkExists(link, ip))) return false;
  await ignoreMissing(run(ip, ['link', 'del', link]));
  return true;
}

/** Deletes a network namespace's name (the kernel frees it with its last process); false when absent. */
export async function deleteNetns(netns: string, ip = 'ip'): Promise<boolean> {
  if (!(await netnsExists(netns, ip))) return false;
  await ignoreMissing(run(ip, ['netns', 'delete', netns]));
  return true;
}

export async function listNetns(ip = 'ip'): Promise<string[]> {
  const out = await run(ip, ['-j', 'netns', 'list']);
  const list = out.trim() ? (JSON.parse(out) as { name: string }[]) : [];
  return list.map((entry) => entry.name);
}

export async function netnsExists(netns: string, ip = 'ip'): Promise<boolean> {
  return (await listNetns(ip)).includes(netns);
}

export async function linkExists(link: string, ip = 'ip'): Promise<boolean> {
  try {
    await run(ip, ['link', 'show', 'dev', link]);
    return true;
  } catch (error) {
    if (error instanceof CommandError && /does not exist|Cannot find device/i.test(error.stderr)) return false;
    throw error;
  }
}

/** Process ids of everything running in the namespace (`ip netns pids`). */
export async function netnsPids(netns: string, ip = 'ip'): Promise<number[]> {
  try {
    const out = await run(ip, ['netns', 'pids', netns]);
    return out.split(/\s+/).filter(Boolean).map(Number);
  } catch (error) {
    if (error instanceof CommandError && /No such file|Invalid netns|Cannot open/i.test(error.stderr)) return [];
    throw error;
  }
}

async function ignoreMissing(command: Promise<unknown>): Promise<void> {
  try {
    await command;
  } catch (error) {
    if (error instanceof CommandError && /No such file|Cannot find device|does not exist/i.test(error.stderr)) return;
    throw error;
  }
}
