// Filter chain matching as Envoy's FilterChainManager: by SNI (exact before wildcard), falling back
// to chains without server_names, and nothing at all when none fits.
import { describe, expect, test } from '@jest/globals';
import type { JsonObject } from '../proto';
import { checkDistinctMatches, selectFilterChain, type ConnectionFacts } from './filter-chain-match';

const chain = (name: string, match: JsonObject = {}): JsonObject => ({ name, filter_chain_match: match });
const facts = (serverName: string | null, extra: Partial<ConnectionFacts> = {}): ConnectionFacts => ({
  destinationPort: 8443,
  destinationIp: '10.244.0.9',
  serverName,
  transportProtocol: 'tls',
  applicationProtocols: ['h2', 'http/1.1'],
  sourceIp: '10.244.0.1',
  sourcePort: 40000,
  ...extra,
});
const pick = (chains: JsonObject[], f: ConnectionFacts) => (selectFilterChain(chains, f)?.name as string | undefined) ?? null;

describe('filter chain selection', () => {
  const gateway = [chain('httpbin', { server_names: ['httpbin.example.com'] }), chain('wild', { server_names: ['*.example.com'] })];

  test('exact server name, then the longest wildcard; unknown or absent SNI matches nothing', () => {
    expect(pick(gateway, facts('httpbin.example.com'))).toBe('httpbin');
    expect(pick(gateway, facts('helloworld.example.com'))).toBe('wild');
    expect(pick(gateway, facts('example.com'))).toBeNull();
    expect(pick(gateway, facts('other.org'))).toBeNull();
    expect(pick(gateway, facts(null))).toBeNull();
  });

  test('a chain without server_names (a "*" host) takes what no named chain does', () => {
    const withCatchAll = [...gateway, chain('any')];
    expect(pick(withCatchAll, facts('other.org'))).toBe('any');
    expect(pick(withCatchAll, facts(null))).toBe('any');
    expect(pick(withCatchAll, facts('httpbin.example.com'))).toBe('httpbin');
  });

  test('destination port and transport protocol narrow first', () => {
    const chains = [chain('tls', { transport_protocol: 'tls' }), chain('plain', { transport_protocol: 'raw_buffer' }), chain('port', { destination_port: 9443 })];
    expect(pick(chains, facts(null, { destinationPort: 9443 }))).toBe('port');
    expect(pick(chains, facts(null))).toBe('tls');
    expect(pick(chains, facts(null, { transportProtocol: 'raw_buffer' }))).toBe('plain');
  });

  test('two chains with the same match are rejected as Envoy does', () => {
    expect(() => checkDistinctMatches([chain('a', { server_names: ['h'] }), chain('b', { server_names: ['x', 'h'] })], 'l')).toThrow(
      "error adding listener 'l': multiple filter chains with the same matching rules are defined",
    );
    expect(() => checkDistinctMatches(gateway, 'l')).not.toThrow();
  });
});
