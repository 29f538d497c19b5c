// Envoy's virtual host and route selection, on the route configuration istiod writes for the doc.
import { describe, expect, test } from '@jest/globals';
import { HOST, HTTPBIN_CLUSTER, istiodJson } from '../testing/istio-gateway';
import { compileRouteConfig, RouteConfigError, selectRoute, type RequestFacts } from './router';

const facts = (host: string, path: string, headers: RequestFacts['headers'] = {}): RequestFacts => ({ host, path, method: 'GET', headers });

describe('route selection', () => {
  const table = compileRouteConfig(istiodJson('routes')[0]!);

  test("the doc's VirtualService: /status and /delay go to httpbin, whatever the port in :authority", () => {
    for (const host of [HOST, `${HOST}:443`, `${HOST}:31443`, 'HTTPBIN.example.com']) {
      expect(selectRoute(table, facts(host, '/status/418?x=1'))?.route.config.route).toMatchObject({ cluster: HTTPBIN_CLUSTER });
    }
    expect(selectRoute(table, facts(HOST, '/delay/1'))).not.toBeNull();
  });

  test('no route for other paths or other hosts (the gateway answers 404)', () => {
    expect(selectRoute(table, facts(HOST, '/headers'))).toBeNull();
    expect(selectRoute(table, facts('other.example.com', '/status/418'))).toBeNull();
  });

  test('exact domains win over suffix wildcards, longer wildcards over shorter, "*" last', () => {
    const vhost = (name: string, domains: string[]) => ({ name, domains, routes: [{ match: { prefix: '/' }, direct_response: { status: 200 } }] });
    const wildcards = compileRouteConfig({ name: 'r', virtual_hosts: [vhost('any', ['*']), vhost('short', ['*.com']), vhost('long', ['*.example.com']), vhost('exact', ['a.example.com']), vhost('prefix', ['api.*'])] });
    const pick = (host: string) => selectRoute(wildcards, facts(host, '/'))?.vhost.name;
    expect([pick('a.example.com'), pick('b.example.com'), pick('b.other.com'), pick('api.internal'), pick('example.org')]).toEqual(['exact', 'long', 'short', 'prefix', 'any']);
    // Without ignore_port_in_host_matching the port is part of the host: only "*" takes it.
    expect(pick('a.example.com:443')).toBe('any');
  });

  test('exact path, regex and header matchers; the first matching route wins', () => {
    const routes = compileRouteConfig({
      name: 'r',
      virtual_hosts: [
        {
          name: 'v',
          domains: ['*'],
          routes: [
            { name: 'exact', match: { path: '/status/418' }, direct_response: { status: 418 } },
            { name: 'header', match: { prefix: '/', headers: [{ name: 'x-canary', string_match: { exact: 'yes' } }] }, direct_response: { status: 200 } },
            { name: 'regex', match: { safe_regex: { regex: '/delay/[0-9]+' } }, direct_response: { status: 200 } },
          ],
        },
      ],
    });
    const name = (path: string, headers = {}) => selectRoute(routes, facts('h', path, headers))?.route.config.name;
    expect([name('/status/418'), name('/status/4180'), name('/x', { 'x-canary': 'yes' }), name('/delay/3'), name('/delay/x')]).toEqual(['exact', undefined, 'header', 'regex', undefined]);
  });

  test('rejects what Envoy rejects: duplicate domains, bad regexes', () => {
    expect(() => compileRouteConfig({ name: 'r', virtual_hosts: [{ name: 'a', domains: ['x'] }, { name: 'b', domains: ['x'] }] })).toThrow(RouteConfigError);
    expect(() => compileRouteConfig({ name: 'r', virtual_hosts: [{ name: 'a', domains: ['x'], routes: [{ match: { safe_regex: { regex: '(' } } }] }] })).toThrow(/invalid regex/);
  });
});
