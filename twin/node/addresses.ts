// The node's point-to-point subnet: a /30 in 10.250.x.0 that no host route or address already
// covers (host side .1, node side .2), and the cluster ranges, fixed as kind's defaults are.
import { run } from '../process/run';

export const podCidr = '10.244.0.0/24';
/** The pod range of the whole cluster (kube-proxy's clusterCIDR); the node holds podCidr in it. */
export const clusterCidr = '10.244.0.0/16';
export const serviceCidr = '10.96.0.0/16';
/** The `kubernetes` Service's ClusterIP: the first address of the Service range. */
export const apiServiceIp = '10.96.0.1';
/** kube-dns, as kubeadm and kind place it. */
export const clusterDnsIp = '10.96.0.10';
export const clusterDomain = 'cluster.local';

export interface NodeSubnet {
  /** e.g. 10.250.7.0 */
  network: string;
  prefixLength: 30;
  hostAddress: string;
  nodeAddress: string;
}

export function ipToNumber(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`not an IPv4 address: ${ip}`);
  }
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

export function numberToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The first and last address of a prefix such as 10.0.0.0/8 (a bare address is a /32). */
export function prefixRange(prefix: string): [number, number] {
  const [ip, lengthText] = prefix.split('/');
  const length = lengthText === undefined ? 32 : Number(lengthText);
  const size = 2 ** (32 - length);
  const start = Math.floor(ipToNumber(ip!) / size) * size;
  return [start, start + size - 1];
}

function overlaps(a: string, b: string): boolean {
  const [aStart, aEnd] = prefixRange(a);
  const [bStart, bEnd] = prefixRange(b);
  return aStart <= bEnd && bStart <= aEnd;
}

/**
 * Picks 10.250.x.0/30, starting at x = seed mod 256 so that one state folder usually gets the same
 * subnet (and its certificates stay valid), skipping any x whose /30 a used prefix overlaps.
 * Default routes do not count: they cover everything.
 */
export function pickSubnet(seed: number, usedPrefixes: string[]): NodeSubnet {
  const used = usedPrefixes.filter((p) => !p.endsWith('/0'));
  for (let i = 0; i < 256; i += 1) {
    const x = (seed + i) % 256;
    const network = `10.250.${x}.0`;
    if (used.some((p) => overlaps(p, `${network}/30`))) continue;
    return { network, prefixLength: 30, hostAddress: `10.250.${x}.1`, nodeAddress: `10.250.${x}.2` };
  }
  throw new Error('no free /30 in 10.250.0.0/16: every 10.250.x.0/30 is used by a host route');
}

interface IpRoute {
  dst?: string;
}
interface IpAddrInfo {
  addr_info?: { family?: string; local?: string; prefixlen?: number }[];
}

/** Every IPv4 prefix the host routes (all tables) or holds as an address. */
export async function hostIpv4Prefixes(ip = 'ip'): Promise<string[]> {
  const routes = JSON.parse(await run(ip, ['-4', '-j', 'route', 'show', 'table', 'all'])) as IpRoute[];
  const links = JSON.parse(await run(ip, ['-4', '-j', 'addr', 'show'])) as IpAddrInfo[];
  const prefixes: string[] = [];
  for (const route of routes) {
    if (!route.dst || route.dst === 'default') continue;
    prefixes.push(route.dst);
  }
  for (const link of links) {
    for (const info of link.addr_info ?? []) {
      if (info.family === 'inet' && info.local) prefixes.push(`${info.local}/${info.prefixlen ?? 32}`);
    }
  }
  return prefixes;
}
