// Filter chain selection as Envoy's FilterChainManager does it: criteria in a fixed order
// (destination port, destination IP, server name, transport protocol, application protocols, source
// type, source IP, source port); at each step the most specific match wins, chains that leave the
// criterion unset are the fallback, and no candidate left means no match (then default_filter_chain).
import net from 'node:net';
import type { JsonObject } from '../proto';

export interface ConnectionFacts {
  destinationPort: number;
  destinationIp: string;
  serverName: string | null;
  /** "tls" when tls_inspector saw a ClientHello, else "raw_buffer". */
  transportProtocol: string;
  applicationProtocols: string[];
  sourceIp: string;
  sourcePort: number;
}

export class FilterChainConfigError extends Error {
  override name = 'FilterChainConfigError';
}

function match(chain: JsonObject): JsonObject {
  return (chain.filter_chain_match as JsonObject | undefined) ?? {};
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

/** The duplicate check Envoy runs when a listener is added. */
export function checkDistinctMatches(chains: JsonObject[], listenerName: string): void {
  const seen = new Set<string>();
  for (const chain of chains) {
    const m = match(chain);
    const base = JSON.stringify({
      destination_port: m.destination_port ?? null,
      prefix_ranges: sortedJson(m.prefix_ranges),
      direct_source_prefix_ranges: sortedJson(m.direct_source_prefix_ranges),
      source_type: m.source_type ?? 'ANY',
      source_prefix_ranges: sortedJson(m.source_prefix_ranges),
      source_ports: [...list(m.source_ports)].sort(),
      transport_protocol: m.transport_protocol ?? '',
    });
    const names = list(m.server_names);
    const protocols = list(m.application_protocols);
    for (const name of names.length > 0 ? names : ['']) {
      for (const protocol of protocols.length > 0 ? protocols : ['']) {
        const key = `${base}|${name.toLowerCase()}|${protocol}`;
        if (seen.has(key)) {
          throw new FilterChainConfigError(
            `error adding listener '${listenerName}': multiple filter chains with the same matching rules are defined`,
          );
        }
        seen.add(key);
      }
    }
  }
}

function sortedJson(value: unknown): string[] {
  return Array.isArray(value) ? value.map((item) => JSON.stringify(item)).sort() : [];
}

function inCidr(ip: string, range: JsonObject): number | null {
  const prefix = String(range.address_prefix ?? '');
  const length = Number(range.prefix_len ?? (net.isIPv6(prefix) ? 128 : 32));
  const family = net.isIPv6(prefix) ? 'ipv6' : 'ipv4';
  const address = ip.startsWith('::ffff:') && family === 'ipv4' ? ip.slice(7) : ip;
  const blockList = new net.BlockList();
  try {
    blockList.addSubnet(prefix, length, family);
  } catch {
    return null;
  }
  return blockList.check(address, net.isIPv6(address) ? 'ipv6' : 'ipv4') ? length : null;
}

/** Keeps the candidates that match most specifically on one criterion, else those that leave it unset. */
function narrow(candidates: JsonObject[], specificity: (m: JsonObject) => number | null | 'unset'): JsonObject[] {
  let best = -1;
  let winners: JsonObject[] = [];
  const unset: JsonObject[] = [];
  for (const chain of candidates) {
    const score = specificity(match(chain));
    if (score === 'unset') unset.push(chain);
    else if (score !== null && score > best) {
      best = score;
      winners = [chain];
    } else if (score !== null && score === best) winners.push(chain);
  }
  return winners.length > 0 ? winners : unset;
}

function serverNameScore(names: string[], serverName: string | null): number | null {
  if (serverName === null) return null;
  let best: number | null = null;
  for (const name of names.map((n) => n.toLowerCase())) {
    if (name === serverName) return Number.MAX_SAFE_INTEGER;
    if (name.startsWith('*.') && serverName.endsWith(name.slice(1)) && serverName.length > name.length - 1) best = Math.max(best ?? 0, name.length);
    else if (name.startsWith('.') && serverName.endsWith(name)) best = Math.max(best ?? 0, name.length);
  }
  return best;
}

export function selectFilterChain(chains: JsonObject[], facts: ConnectionFacts): JsonObject | null {
  let candidates = chains;
  const steps: Array<(m: JsonObject) => number | null | 'unset'> = [
    (m) => (m.destination_port === undefined ? 'unset' : Number(m.destination_port) === facts.destinationPort ? 1 : null),
    (m) => {
      const ranges = (m.prefix_ranges as JsonObject[] | undefined) ?? [];
      if (ranges.length === 0) return 'unset';
      const lengths = ranges.map((range) => inCidr(facts.destinationIp, range)).filter((length): length is number => length !== null);
      return lengths.length > 0 ? Math.max(...lengths) : null;
    },
    (m) => {
      const names = list(m.server_names);
      return names.length === 0 ? 'unset' : serverNameScore(names, facts.serverName);
    },
    (m) => (m.transport_protocol === undefined || m.transport_protocol === '' ? 'unset' : m.transport_protocol === facts.transportProtocol ? 1 : null),
    (m) => {
      const protocols = list(m.application_protocols);
      return protocols.length === 0 ? 'unset' : protocols.some((protocol) => facts.applicationProtocols.includes(protocol)) ? 1 : null;
    },
    (m) => {
      const ranges = (m.direct_source_prefix_ranges as JsonObject[] | undefined) ?? [];
      if (ranges.length === 0) return 'unset';
      const lengths = ranges.map((range) => inCidr(facts.sourceIp, range)).filter((length): length is number => length !== null);
      return lengths.length > 0 ? Math.max(...lengths) : null;
    },
    (m) => {
      const type = String(m.source_type ?? 'ANY');
      if (type === 'ANY') return 'unset';
      const local = facts.sourceIp === facts.destinationIp || facts.sourceIp.startsWith('127.') || facts.sourceIp === '::1';
      return (type === 'SAME_IP_OR_LOOPBACK') === local ? 1 : null;
    },
    (m) => {
      const ranges = (m.source_prefix_ranges as JsonObject[] | undefined) ?? [];
      if (ranges.length === 0) return 'unset';
      const lengths = ranges.map((range) => inCidr(facts.sourceIp, range)).filter((length): length is number => length !== null);
      return lengths.length > 0 ? Math.max(...lengths) : null;
    },
    (m) => {
      const ports = list(m.source_ports).map(Number);
      return ports.length === 0 ? 'unset' : ports.includes(facts.sourcePort) ? 1 : null;
    },
  ];
  for (const step of steps) {
    candidates = narrow(candidates, step);
    if (candidates.length === 0) return null;
  }
  return candidates[0] ?? null;
}
