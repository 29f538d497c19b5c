// How the steps look at the gateway: the doc's curl (helpers/probe) against the host, waited for
// as upstream Istio waits, and the verdicts that say what counts as which outcome.
import { probe, type Observation } from '../../helpers/probe';
import { need, type SecureGatewaysContext } from './context';

export { awaitObservation, header, isResponse, isTeapot, refusedUnknownCa, refusedWithoutCertificate, seenAs, teapotBody } from '../runtime/observe';

export type ClientCertificate = 'none' | 'doc-client' | 'foreign-client';

/** `curl --resolve host:port:addr --cacert ca-chain [--cert --key] https://host:port<path>` */
export function curl(context: SecureGatewaysContext, path: string, client: ClientCertificate): () => Promise<Observation> {
  const chain = need(context.chain, 'the certificate chain');
  const ingress = need(context.ingress, 'the ingress address');
  const pair = client === 'doc-client' ? chain.client : client === 'foreign-client' ? need(context.foreignChain, 'the foreign chain').client : undefined;
  const host = context.names.host;
  return () =>
    probe({
      url: `https://${host}:${ingress.port}${path}`,
      resolve: { host, port: ingress.port, address: ingress.address },
      ca: chain.caChainPem,
      cert: pair?.certPem,
      key: pair?.keyPem,
      tlsMax: context.settings.TLS_MAX,
      timeoutMs: context.budgets.requestMs,
    });
}

