// SG-S6 / SG-M6 against the Envoy stand-in in-process (istiod's SIMPLE then MUTUAL listeners, a
// 2 s drain time), and against a gateway that never drains, which SG-M6 must fail.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { once } from 'node:events';
import http2 from 'node:http2';
import type net from 'node:net';
import { eventually } from '../../../helpers/eventually';
import { makeDocChain, type DocChain } from '../../../helpers/pki';
import { probe } from '../../../helpers/probe';
import { startGateway, startUpstream, type Gateway, type Upstream } from '../../../twin/envoy/testing/harness';
import * as istio from '../../../twin/envoy/testing/istio-gateway';
import { TYPE_URL } from '../../../twin/envoy/xds';
import { StepFailure, stepHandle } from '../../runtime/step';
import type { SecureGatewaysContext } from '../context';
import { drainSteps } from './drain';

const [holdStep, drainedStep] = drainSteps as [(typeof drainSteps)[0], (typeof drainSteps)[0]];
let chain: DocChain;

/** The fields the two steps read. */
const contextFor = (port: number) =>
  ({
    chain,
    ingress: { address: '127.0.0.1', port, source: 'override' },
    names: { host: istio.HOST },
    settings: {},
    budgets: { requestMs: 2_000, waitMs: 8_000, converge: 1 },
  }) as unknown as SecureGatewaysContext;

beforeAll(async () => {
  chain = await makeDocChain();
}, 30_000);

describe('on the Envoy stand-in', () => {
  let upstream: Upstream;
  let gateway: Gateway;
  beforeAll(async () => {
    upstream = await startUpstream();
    gateway = await startGateway({ apiType: 'DELTA_GRPC', statusPort: upstream.port, extraArgs: ['--drain-time-s', '2'] });
    gateway.plane.setSecret(istio.CERT_SECRET, istio.certificateSecret(chain.server.certPem + chain.intermediate.certPem, chain.server.keyPem));
    gateway.plane.setResources(TYPE_URL.cluster, istio.istiodRaw('clusters'));
    gateway.plane.setResources(TYPE_URL.endpoint, [...istio.istiodRaw('endpoints').filter((a) => a.name !== istio.HTTPBIN_CLUSTER), istio.httpbinEndpoints('127.0.0.1', upstream.port)]);
    gateway.plane.setResources(TYPE_URL.route, istio.istiodRaw('routes'));
    gateway.plane.setResources(TYPE_URL.listener, istio.istiodRaw('listeners-simple'));
    await gateway.standIn.whenLive();
  }, 30_000);
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  test('SG-S6 holds the connection; after the switch SG-M6 sees one answer with GOAWAY, then the close', async () => {
    const port = gateway.port(istio.GATEWAY_LISTENER)!;
    const context = contextFor(port);
    const holding = stepHandle(holdStep.id);
    await holdStep.run(context, holding);
    expect(holding.observed).toBe('HTTP/2 418 on the held connection');
    gateway.plane.setSecret(istio.ROOT_SECRET, istio.rootSecret(chain.caChainPem));
    gateway.plane.setResources(TYPE_URL.listener, istio.istiodRaw('listeners-mutual'));
    const fresh = () => probe({ url: `https://${istio.HOST}:${port}/status/418`, resolve: { host: istio.HOST, port, address: '127.0.0.1' }, ca: chain.caChainPem, timeoutMs: 2_000 });
    await eventually(fresh, (seen) => seen.outcome === 'tls-alert', { budgetMs: 10_000, converge: 1, initialDelayMs: 20, maxDelayMs: 200 });
    const draining = stepHandle(drainedStep.id);
    await drainedStep.run(context, draining);
    expect(draining.observed).toMatch(/^HTTP\/2 418, then not sent \(GOAWAY received\); closed \d+\.\d s after MUTUAL was in force$/);
  }, 30_000);
});

describe('on a gateway that never drains', () => {
  let server: http2.Http2SecureServer;
  afterAll(() => {
    server?.close();
  });

  test('SG-M6 fails: it keeps answering the old connection without a GOAWAY', async () => {
    server = http2.createSecureServer({ cert: chain.server.certPem + chain.intermediate.certPem, key: chain.server.keyPem }, (_req, res) => res.writeHead(418).end("I'm a teapot!"));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const context = contextFor((server.address() as net.AddressInfo).port);
    await holdStep.run(context, stepHandle(holdStep.id));
    const failure = await drainedStep.run(context, stepHandle(drainedStep.id)).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(StepFailure);
    expect((failure as StepFailure).observed).toBe('HTTP/2 418 after the switch, and no GOAWAY within 2000 ms');
  }, 15_000);
});
