// How this catalogue's steps look at the gateway: curl of the host with the chain's CA, with or
// without the client's certificate (helpers/probe), waited for with the runtime's verdicts.
import { probe, type Observation } from '../../helpers/probe';
import { need, type SdsContext } from './context';

export function curl(context: SdsContext, path: string, withClient: boolean): () => Promise<Observation> {
  const ingress = need(context.ingress, 'the ingress address');
  const { host } = context.names;
  const client = withClient ? context.chain.client : undefined;
  return () =>
    probe({
      url: `https://${host}:${ingress.port}${path}`,
      resolve: { host, port: ingress.port, address: ingress.address },
      ca: context.chain.caChainPem,
      cert: client?.certPem,
      key: client?.keyPem,
      tlsMax: context.settings.TLS_MAX,
      timeoutMs: context.budgets.requestMs,
    });
}
