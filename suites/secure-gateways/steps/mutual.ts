// M: mutual TLS. The CA secret, the Gateway replaced with MUTUAL, then three clients: none,
// the doc's client, and one from a CA the gateway does not trust.
import { caSecret, caSecretKey, caSecretName, gateway } from '../manifests';
import type { StepDefinition, StepHandle } from '../../runtime/step';
import { need, type SecureGatewaysContext } from '../context';
import { awaitObservation, curl, isTeapot, refusedUnknownCa, refusedWithoutCertificate } from '../observe';
import { applyDocObject, writeSecret } from '../../runtime/apply';
import { docCurlWithCertificate, docCurlWithoutCertificate } from './doc-curl';

type GatewaySpec = { servers?: Array<{ tls?: { mode?: string } }> };

export const mutualTls: StepDefinition<SecureGatewaysContext>[] = [
  {
    id: 'SG-M1',
    title: 'generic secret istio-ingressgateway-ca-certs from ca-chain.cert.pem',
    dependsOn: ['SG-B1', 'SG-C1'],
    run: async (context, step: StepHandle) => {
      const chain = need(context.chain, 'the certificate chain');
      const name = caSecretName(context.profile);
      const key = caSecretKey(context.profile);
      step.expected = `Secret ${context.names.gatewayNamespace}/${name} whose only key is ${key}, holding the CA chain`;
      const stored = await writeSecret(context, caSecret(context.profile, context.names, chain));
      const keys = Object.keys(stored.data ?? {});
      const holdsChain = stored.data?.[key] === Buffer.from(chain.caChainPem).toString('base64');
      step.expect(keys.length === 1 && keys[0] === key && holdsChain, `keys ${keys.join(', ') || 'none'}${holdsChain ? '' : ', not holding the generated chain'}`);
      step.observed = `Secret ${name} holds ${key}`;
    },
  },
  {
    id: 'SG-M2',
    title: 'replace the Gateway: mode MUTUAL with caCertificates',
    dependsOn: ['SG-S2', 'SG-M1'],
    run: async (context, step: StepHandle) => {
      step.expected = `the API server accepts the MUTUAL Gateway and stores mode MUTUAL`;
      const stored = await applyDocObject(context, step, gateway(context.profile, 'MUTUAL', context.names, context.networkingVersion), step.expected);
      const mode = (stored.spec as GatewaySpec | undefined)?.servers?.[0]?.tls?.mode;
      step.expect(mode === 'MUTUAL', `the stored Gateway has mode ${mode}`);
      step.observed = 'Gateway stored with mode MUTUAL';
    },
  },
  {
    id: 'SG-M3',
    title: 'the same curl without a client certificate is refused',
    dependsOn: ['SG-B2', 'SG-M2'],
    run: async (context, step: StepHandle) => {
      // The first sign that MUTUAL is live: with SIMPLE still in force a client with a
      // certificate would also get 418, so the refusal is what is awaited.
      step.expected = 'the gateway to refuse the handshake without a client certificate (alert handshake_failure in TLS 1.2, certificate_required in TLS 1.3)';
      const seen = await awaitObservation(context, step, step.expected, curl(context, '/status/418', 'none'), refusedWithoutCertificate);
      step.observed = `TLS alert ${seen.alert} from the server (${seen.phase === 'first-read' ? 'on the first read' : 'in the handshake'})`;
    },
  },
  docCurlWithoutCertificate,
  {
    id: 'SG-M4',
    title: 'curl with --cert/--key of the client succeeds',
    dependsOn: ['SG-M3'],
    run: async (context, step: StepHandle) => {
      step.expected = 'HTTP 418 from httpbin when the doc\'s client certificate is presented';
      const seen = await awaitObservation(context, step, step.expected, curl(context, '/status/418', 'doc-client'), isTeapot);
      step.observed = `HTTP/${seen.httpVersion} ${seen.status} with the client certificate`;
    },
  },
  docCurlWithCertificate,
  {
    id: 'SG-M5',
    title: 'a client certificate from a CA the gateway does not trust is refused',
    dependsOn: ['SG-M3'],
    run: async (context, step: StepHandle) => {
      step.expected = 'the gateway to refuse a client certificate from an unrelated CA with alert unknown_ca';
      const seen = await awaitObservation(context, step, step.expected, curl(context, '/status/418', 'foreign-client'), refusedUnknownCa);
      step.observed = `TLS alert ${seen.alert} from the server`;
    },
  },
];
