// Envoy's route table: a RouteConfiguration compiled once per update (a bad regex rejects the
// update), then per request the virtual host by :authority (exact domain, then the longest suffix
// wildcard, then the longest prefix wildcard, then "*"; the port ignored when
// ignore_port_in_host_matching is set, as istiod sets it) and the first route whose match holds.
import { fullRegex, stringMatcher, type StringMatch } from '../matchers';
import type { JsonObject } from '../proto';

export interface RequestFacts {
  host: string;
  /** The path with its query string, as sent. */
  path: string;
  method: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface CompiledRoute {
  config: JsonObject;
  matches(facts: RequestFacts, pathOnly: string): boolean;
  /** For prefix_rewrite: the matched prefix. */
  prefix: string | null;
}

export interface CompiledVirtualHost {
  config: JsonObject;
  name: string;
  routes: CompiledRoute[];
}

export interface CompiledRouteConfig {
  config: JsonObject;
  name: string;
  ignorePort: boolean;
  exact: Map<string, CompiledVirtualHost>;
  suffixes: Array<{ suffix: string; vhost: CompiledVirtualHost }>;
  prefixes: Array<{ prefix: string; vhost: CompiledVirtualHost }>;
  catchAll: CompiledVirtualHost | null;
}

export class RouteConfigError extends Error {
  override name = 'RouteConfigError';
}

export function compileRouteConfig(config: JsonObject): CompiledRouteConfig {
  const compiled: CompiledRouteConfig = {
    config,
    name: String(config.name ?? ''),
    ignorePort: config.ignore_port_in_host_matching === true,
    exact: new Map(),
    suffixes: [],
    prefixes: [],
    catchAll: null,
  };
  const seenDomains = new Set<string>();
  for (const vhostConfig of (config.virtual_hosts as JsonObject[] | undefined) ?? []) {
    const vhost: CompiledVirtualHost = {
      config: vhostConfig,
      name: String(vhostConfig.name ?? ''),
      routes: ((vhostConfig.routes as JsonObject[] | undefined) ?? []).map(compileRoute),
    };
    for (const rawDomain of (vhostConfig.domains as string[] | undefined) ?? []) {
      const domain = String(rawDomain).toLowerCase();
      if (seenDomains.has(domain)) {
        throw new RouteConfigError(`Only unique values for domains are permitted. Duplicate entry of domain ${domain} in route ${compiled.name}`);
      }
      seenDomains.add(domain);
      if (domain === '*') compiled.catchAll = vhost;
      else if (domain.startsWith('*')) compiled.suffixes.push({ suffix: domain.slice(1), vhost });
      else if (domain.endsWith('*')) compiled.prefixes.push({ prefix: domain.slice(0, -1), vhost });
      else compiled.exact.set(domain, vhost);
    }
  }
  compiled.suffixes.sort((a, b) => b.suffix.length - a.suffix.length);
  compiled.prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
  return compiled;
}

function stripPort(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end < 0 ? host : host.slice(0, end + 1);
  }
  const colon = host.lastIndexOf(':');
  return colon >= 0 && /^\d+$/.test(host.slice(colon + 1)) ? host.slice(0, colon) : host;
}

export function selectVirtualHost(table: CompiledRouteConfig, rawHost: string): CompiledVirtualHost | null {
  let host = rawHost.toLowerCase();
  if (table.ignorePort) host = stripPort(host);
  const exact = table.exact.get(host);
  if (exact) return exact;
  // A wildcard must match at least one character.
  for (const { suffix, vhost } of table.suffixes) if (host.length > suffix.length && host.endsWith(suffix)) return vhost;
  for (const { prefix, vhost } of table.prefixes) if (host.length > prefix.length && host.startsWith(prefix)) return vhost;
  return table.catchAll;
}

export function selectRoute(table: CompiledRouteConfig, facts: RequestFacts): { vhost: CompiledVirtualHost; route: CompiledRoute } | null {
  const vhost = selectVirtualHost(table, facts.host);
  if (!vhost) return null;
  const pathOnly = facts.path.split('?')[0] ?? '';
  const route = vhost.routes.find((candidate) => candidate.matches(facts, pathOnly));
  return route ? { vhost, route } : null;
}

function compileRoute(config: JsonObject): CompiledRoute {
  const match = (config.match as JsonObject | undefined) ?? {};
  const caseSensitive = match.case_sensitive !== false;
  const fold = (value: string) => (caseSensitive ? value : value.toLowerCase());
  let pathMatch: (path: string) => boolean;
  let prefix: string | null = null;
  if (typeof match.prefix === 'string') {
    prefix = match.prefix;
    const expected = fold(match.prefix);
    pathMatch = (path) => fold(path).startsWith(expected);
  } else if (typeof match.path === 'string') {
    const expected = fold(match.path);
    pathMatch = (path) => fold(path) === expected;
  } else if (match.safe_regex) {
    const regex = fullRegex(match.safe_regex as JsonObject);
    pathMatch = (path) => regex.test(path);
  } else if (typeof match.path_separated_prefix === 'string') {
    prefix = match.path_separated_prefix;
    const expected = fold(match.path_separated_prefix);
    pathMatch = (path) => {
      const folded = fold(path);
      return folded === expected || folded.startsWith(`${expected}/`);
    };
  } else if (match.connect_matcher) {
    pathMatch = () => false;
  } else {
    throw new RouteConfigError(`route: unsupported path match ${JSON.stringify(Object.keys(match))}`);
  }
  const headerMatchers = ((match.headers as JsonObject[] | undefined) ?? []).map(compileHeaderMatcher);
  const queryMatchers = ((match.query_parameters as JsonObject[] | undefined) ?? []).map(compileQueryMatcher);
  return {
    config,
    prefix,
    matches: (facts, pathOnly) =>
      pathMatch(pathOnly) && headerMatchers.every((matcher) => matcher(facts)) && queryMatchers.every((matcher) => matcher(facts.path)),
  };
}

function headerValue(facts: RequestFacts, name: string): string | undefined {
  const lower = name.toLowerCase();
  if (lower === ':authority') return facts.host;
  if (lower === ':path') return facts.path;
  if (lower === ':method') return facts.method;
  const value = facts.headers[lower];
  return Array.isArray(value) ? value.join(',') : value;
}

function compileHeaderMatcher(config: JsonObject): (facts: RequestFacts) => boolean {
  const name = String(config.name ?? '');
  const invert = config.invert_match === true;
  const missingAsEmpty = config.treat_missing_header_as_empty === true;
  let test: (value: string | undefined) => boolean;
  if (typeof config.exact_match === 'string') test = (value) => value === config.exact_match;
  else if (typeof config.prefix_match === 'string') test = (value) => value !== undefined && value.startsWith(config.prefix_match as string);
  else if (typeof config.suffix_match === 'string') test = (value) => value !== undefined && value.endsWith(config.suffix_match as string);
  else if (typeof config.contains_match === 'string') test = (value) => value !== undefined && value.includes(config.contains_match as string);
  else if (config.safe_regex_match) {
    const regex = fullRegex(config.safe_regex_match as JsonObject);
    test = (value) => value !== undefined && regex.test(value);
  } else if (config.string_match) {
    const matcher: StringMatch = stringMatcher(config.string_match as JsonObject);
    test = (value) => value !== undefined && matcher(value);
  } else if (config.range_match) {
    const range = config.range_match as JsonObject;
    test = (value) => value !== undefined && /^-?\d+$/.test(value) && Number(value) >= Number(range.start) && Number(value) < Number(range.end);
  } else if (config.present_match !== undefined) {
    const present = config.present_match === true;
    test = (value) => (value !== undefined) === present;
  } else {
    test = (value) => value !== undefined;
  }
  return (facts) => {
    let value = headerValue(facts, name);
    if (value === undefined && missingAsEmpty) value = '';
    return test(value) !== invert;
  };
}

function compileQueryMatcher(config: JsonObject): (path: string) => boolean {
  const name = String(config.name ?? '');
  const matcher = config.string_match ? stringMatcher(config.string_match as JsonObject) : null;
  const present = config.present_match === true;
  return (path) => {
    const query = new URLSearchParams(path.includes('?') ? path.slice(path.indexOf('?') + 1) : '');
    const value = query.get(name);
    if (value === null) return false;
    if (present || !matcher) return true;
    return matcher(value);
  };
}
