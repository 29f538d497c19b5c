// Measures how long a new listener takes to serve on the in-process stand-in when its secret is
// late: pilot-agent's file SDS fails first (the file is not there yet), the secret follows after
// `--late-ms` (a negative value: the secret is there before the push). Prints, per run, when the port first answered at all (reset or response) and when
// it first served 418, from the listener push. Run: node --import tsx twin/envoy/testing/time-to-serve.ts [--runs N] [--late-ms MS]
import { Command } from 'commander';
import { makeDocChain } from '../../../helpers/pki';
import { probe } from '../../../helpers/probe';
import { TYPE_URL } from '../xds';
import { startGateway, startUpstream } from './harness';
import * as istio from './istio-gateway';

const options = new Command().option('--runs <n>', 'runs', '5').option('--late-ms <ms>', 'delay of the secret after the push', '1000').parse().opts<{ runs: string; lateMs: string }>();
const runs = Number(options.runs);
const lateMs = Number(options.lateMs);

async function main(): Promise<void> {
  const chain = await makeDocChain();
  const upstream = await startUpstream();
  const gateway = await startGateway({ apiType: 'DELTA_GRPC', statusPort: upstream.port });
  const secret = istio.certificateSecret(chain.server.certPem + chain.intermediate.certPem, chain.server.keyPem);
  const { plane } = gateway;
  plane.setSecret(istio.CERT_SECRET, secret);
  plane.setResources(TYPE_URL.cluster, istio.istiodRaw('clusters'));
  plane.setResources(TYPE_URL.endpoint, [...istio.istiodRaw('endpoints').filter((a) => a.name !== istio.HTTPBIN_CLUSTER), istio.httpbinEndpoints('127.0.0.1', upstream.port)]);
  plane.setResources(TYPE_URL.route, istio.istiodRaw('routes'));
  plane.setResources(TYPE_URL.listener, istio.istiodRaw('listeners-simple'));
  await gateway.standIn.whenLive();
  const simple = istio.istiodJson('listeners-simple')[0]!;
  const pushed: ReturnType<typeof istio.onPort>[] = [];
  for (let run = 0; run < runs; run++) {
    const port = 9443 + run;
    const name = `0.0.0.0_${port}`;
    const secretName = `file-cert:/etc/late-${run}/tls.crt~/etc/late-${run}/tls.key`;
    pushed.push(istio.withCertSecret(istio.onPort(simple, port), secretName));
    if (lateMs < 0) plane.setSecret(secretName, secret);
    const started = Date.now();
    plane.setResources(TYPE_URL.listener, [...istio.istiodRaw('listeners-simple'), ...pushed]);
    const late = setTimeout(() => plane.setSecret(secretName, secret), Math.max(0, lateMs));
    let firstAnswerMs: number | null = null;
    let servedMs: number | null = null;
    while (servedMs === null && Date.now() - started < 40_000) {
      const bound = gateway.port(name);
      if (bound !== undefined) {
        const seen = await probe({ url: `https://${istio.HOST}:${bound}/status/418`, resolve: { host: istio.HOST, port: bound, address: '127.0.0.1' }, ca: chain.caChainPem, timeoutMs: 2_000 });
        if (seen.outcome !== 'refused' && firstAnswerMs === null) firstAnswerMs = Date.now() - started;
        if (seen.outcome === 'response' && seen.status === 418) servedMs = Date.now() - started;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    clearTimeout(late);
    console.log(JSON.stringify({ run, lateMs, firstAnswerMs, servedMs }));
  }
  await gateway.close();
  await upstream.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
