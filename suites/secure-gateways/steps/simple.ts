// S: the TLS ingress gateway in mode SIMPLE.
import { gateway, serverSecret, serverSecretName, virtualService } from '../manifests';
import { certificateSummary } from '../../../helpers/pki';
import type { StepDefinition, StepHandle } from '../../runtime/step';
import { need, type SecureGatewaysContext } from '../context';
import type { Observation, ResponseObservation } from '../../../helpers/probe';
import { awaitObservation, curl, header, isResponse, isTeapot, teapotBody } from '../observe';
import { applyDocObject, writeSecret } from '../../runtime/apply';
import { docCurlSimple } from './doc-curl';

export const simpleTls: StepDefinition<SecureGatewaysContext>[] = [
  {
    id: 'SG-S1',
    title: 'TLS secret istio-ingressgateway-certs from the server key and certificate',
    dependsOn: ['SG-B1', 'SG-C1'],
    run: async (context, step: StepHandle) => {
      const chain = need(context.chain, 'the certificate chain');
      const name = serverSecretName(context.profile);
      step.expected = `Secret ${context.names.gatewayNamespace}/${name} of type kubernetes.io/tls with tls.crt and tls.key of the generated server pair`;
      const stored = await writeSecret(context, serverSecret(context.profile, context.names, chain));
      const matches = stored.data?.['tls.crt'] === b64(chain.server.certPem) && stored.data?.['tls.key'] === b64(chain.server.keyPem);
      // Never echo the data itself: only which keys differ.
      step.expect(stored.type === 'kubernetes.io/tls' && matches, `type ${stored.type}, keys ${Object.keys(stored.data ?? {}).join(', ')}, ${matches ? 'matching' : 'not matching the generated files'}`);
      step.observed = `Secret ${name} (kubernetes.io/tls) holds the generated server certificate and key`;
    },
  },
  {
    id: 'SG-S2',
    title: 'Gateway httpbin-gateway: port 443 HTTPS, tls SIMPLE, host httpbin.example.com',
    dependsOn: ['SG-B1'],
    run: async (context, step: StepHandle) => {
      step.expected = `the API server accepts Gateway ${context.names.gatewayName} (${context.networkingVersion}, ${context.profile}) and returns it as applied`;
      await applyDocObject(context, step, gateway(context.profile, 'SIMPLE', context.names, context.networkingVersion), step.expected);
      step.observed = `Gateway ${context.names.appNamespace}/${context.names.gatewayName} stored with mode SIMPLE`;
    },
  },
  {
    id: 'SG-S3',
    title: 'VirtualService httpbin: /status and /delay to httpbin:8000',
    dependsOn: ['SG-B1'],
    run: async (context, step: StepHandle) => {
      step.expected = `the API server accepts VirtualService ${context.names.virtualServiceName} and returns it as applied`;
      await applyDocObject(context, step, virtualService(context.names, context.networkingVersion), step.expected);
      step.observed = `VirtualService ${context.names.appNamespace}/${context.names.virtualServiceName} stored`;
    },
  },
  {
    id: 'SG-S4',
    title: 'curl --resolve … --cacert ca-chain https://httpbin.example.com/status/418 answers 418',
    dependsOn: ['SG-B2', 'SG-S1', 'SG-S2', 'SG-S3'],
    run: async (context, step: StepHandle) => {
      const chain = need(context.chain, 'the certificate chain');
      const host = context.names.host;
      const issuer = certificateSummary(chain.intermediate.certPem).subject.CN;
      step.expected = `HTTP/2 418 from httpbin, TLS verified against ca-chain with SNI ${host}, peer CN=${host} issued by ${issuer}`;
      const seen = await awaitObservation(context, step, step.expected, curl(context, '/status/418', 'none'), isTeapot);
      step.expect(seen.peer.subject.CN === host, `the gateway presented CN=${seen.peer.subject.CN}`);
      step.expect(seen.peer.issuer.CN === issuer, `the certificate was issued by ${seen.peer.issuer.CN}`);
      step.expect(seen.alpn === 'h2' && seen.httpVersion === '2', `ALPN ${seen.alpn ?? 'none'}, HTTP/${seen.httpVersion}`);
      context.served = true;
      step.observed = `HTTP/${seen.httpVersion} ${seen.status} over ${seen.tlsVersion}, body ${teapotBody(seen)}, peer CN=${seen.peer.subject.CN} issued by ${seen.peer.issuer.CN}`;
    },
  },
  docCurlSimple,
  {
    id: 'SG-S5',
    title: 'paths outside /status and /delay are not routed (/headers answers 404 from the gateway)',
    dependsOn: ['SG-S4'],
    run: async (context, step: StepHandle) => {
      step.expected = '/headers answers 404 from the gateway itself (server: istio-envoy), not from httpbin';
      const routedAway = (o: Observation): o is ResponseObservation => isResponse(o) && o.status === 404 && header(o, 'server') === 'istio-envoy';
      const seen = await awaitObservation(context, step, step.expected, curl(context, '/headers', 'none'), routedAway);
      step.observed = `HTTP/${seen.httpVersion} ${seen.status}, server: ${header(seen, 'server')}`;
    },
  },
];

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
