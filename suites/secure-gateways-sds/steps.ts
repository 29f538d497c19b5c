// The credentialName catalogue's steps, in STEPS.md's order: before you begin, SIMPLE, MUTUAL with
// the CA in the same secret, rotation without restart, cleanup.
import { get, ingressAddress, rolloutStatus, type KubeObject } from '../../helpers/kube';
import { restoreRunObjects } from '../runtime/restore-ledger';
import { certificateSummary } from '../../helpers/pki';
import { renderObservation, type Observation, type ResponseObservation } from '../../helpers/probe';
import { stillSo } from '../runtime/await-state';
import { applyDocObject, writeSecret } from '../runtime/apply';
import { awaitObservation, header, isResponse, isTeapot, refusedWithoutCertificate, seenAs } from '../runtime/observe';
import type { StepDefinition, StepHandle } from '../runtime/step';
import { gatewayPodStates, need, serialOf, type SdsContext } from './context';
import { credentialGateway, credentialSecret, httpbinRoute } from './manifests';
import { curl } from './observe';

type Service = KubeObject & { spec?: { ports?: Array<{ port: number }> } };
type Secret = KubeObject & { type?: string; data?: Record<string, string> };
type GatewaySpec = { servers?: Array<{ tls?: { mode?: string } }> };

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Which keys a stored Secret has and whether each holds what was written (never the data itself). */
function secretVerdict(stored: Secret, wanted: Record<string, string>): { same: boolean; observed: string } {
  const keys = Object.keys(stored.data ?? {}).sort();
  const same = keys.join() === Object.keys(wanted).sort().join() && Object.entries(wanted).every(([key, text]) => stored.data?.[key] === b64(text));
  return { same, observed: `type ${stored.type}, keys ${keys.join(', ') || 'none'}, ${same ? 'as written' : 'not as written'}` };
}

/**
 * Waits for a 418 whose peer certificate has this serial; on timeout the failure names the serial
 * the gateway presented instead (and whose certificate that is, when it is one the run made).
 */
async function awaitServedSerial(context: SdsContext, step: StepHandle, serial: string, withClient: boolean): Promise<ResponseObservation> {
  const wanted = serialOf(serial);
  const served = (o: Observation): o is ResponseObservation => isTeapot(o) && serialOf(o.peer.serialNumber) === wanted;
  const known: Record<string, string> = {
    [serialOf(certificateSummary(context.chain.server.certPem).serialNumber)]: 'the first server certificate',
    [serialOf(certificateSummary(context.rotatedServer.certPem).serialNumber)]: 'the rotated server certificate',
  };
  const poll = { budgetMs: context.budgets.waitMs, converge: context.budgets.converge, initialDelayMs: 20, maxDelayMs: 320, render: renderObservation };
  return (await step.awaitState(step.expected!, curl(context, '/status/418', withClient), served, poll, (timeout) => {
    const last = timeout.last;
    if (!last?.ok) return last ? String(last.error) : 'nothing was observed';
    const seen = last.value;
    if (!isResponse(seen)) return `${seenAs(seen)} ${stillSo(timeout)}`;
    const presented = serialOf(seen.peer.serialNumber);
    return `it answered HTTP/${seen.httpVersion} ${seen.status} presenting serial ${presented}${known[presented] ? ` (${known[presented]})` : ''} ${stillSo(timeout)}`;
  })) as ResponseObservation;
}

const peerText = (seen: ResponseObservation) => `HTTP/${seen.httpVersion} ${seen.status}, peer CN=${seen.peer.subject.CN} serial ${serialOf(seen.peer.serialNumber)}`;

export const sdsSteps: StepDefinition<SdsContext>[] = [
  {
    id: 'SDS-B1',
    title: 'Istio installed, a Ready ingress gateway, httpbin deployed',
    run: async (context, step: StepHandle) => {
      const { names } = context;
      step.expected = `a Ready ingress gateway pod (istio=${names.gatewaySelector}) in ${names.gatewayNamespace}, httpbin ready with Service port 8000 in ${names.appNamespace}`;
      const pods = await gatewayPodStates(context);
      const ready = pods.filter((pod) => pod.ready);
      step.expect(ready.length > 0, `${pods.length} gateway pod(s) with istio=${names.gatewaySelector}, none Ready`);
      context.gatewayPod = ready[0]!;
      const httpbin = await get(context.kube, { apiVersion: 'apps/v1', kind: 'Deployment', namespace: names.appNamespace, name: 'httpbin' });
      const rollout = rolloutStatus(httpbin as never);
      step.expect(rollout.ready, `httpbin Deployment in ${names.appNamespace}: ${httpbin ? rollout.summary : 'not found'}`);
      const service = (await get(context.kube, { apiVersion: 'v1', kind: 'Service', namespace: names.appNamespace, name: 'httpbin' })) as Service | undefined;
      step.expect(service?.spec?.ports?.some((p) => p.port === 8000) ?? false, service ? 'Service httpbin has no port 8000' : 'Service httpbin not found');
      step.observed = `gateway pod ${context.gatewayPod.name} Ready (${context.gatewayPod.restarts} restarts); httpbin ${rollout.summary}`;
    },
  },
  {
    id: 'SDS-B2',
    title: 'the ingress address and HTTPS port',
    dependsOn: ['SDS-B1'],
    run: async (context, step: StepHandle) => {
      step.expected = 'the gateway Service exposes 443 (https) at a LoadBalancer address, or a node address and NodePort';
      context.ingress = await ingressAddress(context.kube, { namespace: context.names.gatewayNamespace, name: context.gatewayService }, context.settings.INGRESS_ADDRESS);
      step.observed = `${context.ingress.address}:${context.ingress.port} (${context.ingress.source})`;
    },
  },
  {
    id: 'SDS-S1',
    title: 'kubectl create -n istio-system secret tls sds-httpbin-credential --key … --cert …',
    dependsOn: ['SDS-B1'],
    run: async (context, step: StepHandle) => {
      const { names, chain } = context;
      step.expected = `Secret ${names.gatewayNamespace}/${names.credential} of type kubernetes.io/tls with exactly the generated tls.crt and tls.key`;
      const stored = await writeSecret(context, credentialSecret(names, chain.server));
      const verdict = secretVerdict(stored, { 'tls.crt': chain.server.certPem, 'tls.key': chain.server.keyPem });
      step.expect(stored.type === 'kubernetes.io/tls' && verdict.same, verdict.observed);
      step.observed = `Secret ${names.credential}: ${verdict.observed}`;
    },
  },
  {
    id: 'SDS-S2',
    title: 'Gateway sds-gateway: 443 HTTPS, SIMPLE, credentialName sds-httpbin-credential',
    dependsOn: ['SDS-B1'],
    run: async (context, step: StepHandle) => {
      step.expected = `the API server accepts Gateway ${context.names.gatewayName} (${context.networkingVersion}) and returns it as applied`;
      await applyDocObject(context, step, credentialGateway(context.names, 'SIMPLE', context.networkingVersion), step.expected);
      step.observed = `Gateway ${context.names.appNamespace}/${context.names.gatewayName} stored with mode SIMPLE and credentialName ${context.names.credential}`;
    },
  },
  {
    id: 'SDS-S3',
    title: 'VirtualService sds-httpbin: /status and /delay of the host to httpbin:8000',
    dependsOn: ['SDS-B1'],
    run: async (context, step: StepHandle) => {
      step.expected = `the API server accepts VirtualService ${context.names.virtualServiceName} and returns it as applied`;
      await applyDocObject(context, step, httpbinRoute(context.names, context.networkingVersion), step.expected);
      step.observed = `VirtualService ${context.names.appNamespace}/${context.names.virtualServiceName} stored`;
    },
  },
  {
    id: 'SDS-S4',
    title: "curl the host's /status/418 with the CA chain: 418, served with the credential's certificate",
    dependsOn: ['SDS-B2', 'SDS-S1', 'SDS-S2', 'SDS-S3'],
    run: async (context, step: StepHandle) => {
      const serial = certificateSummary(context.chain.server.certPem).serialNumber;
      step.expected = `HTTP/2 418 from httpbin, TLS verified against the chain with SNI ${context.names.host}, the peer certificate the credential's (serial ${serialOf(serial)})`;
      const seen = await awaitServedSerial(context, step, serial, false);
      step.expect(seen.alpn === 'h2', `ALPN ${seen.alpn ?? 'none'}, HTTP/${seen.httpVersion}`);
      context.served = true;
      step.observed = peerText(seen);
    },
  },
  {
    id: 'SDS-M1',
    title: 'the credential with ca.crt added, and the Gateway in mode MUTUAL',
    dependsOn: ['SDS-S1', 'SDS-S2'],
    run: async (context, step: StepHandle) => {
      const { names, chain } = context;
      step.expected = `Secret ${names.credential} with tls.crt, tls.key and ca.crt as written, and Gateway ${names.gatewayName} stored with mode MUTUAL`;
      const stored = await writeSecret(context, credentialSecret(names, chain.server, chain.caChainPem));
      const verdict = secretVerdict(stored, { 'tls.crt': chain.server.certPem, 'tls.key': chain.server.keyPem, 'ca.crt': chain.caChainPem });
      step.expect(verdict.same, `Secret ${names.credential}: ${verdict.observed}`);
      const gateway = await applyDocObject(context, step, credentialGateway(names, 'MUTUAL', context.networkingVersion), step.expected);
      const mode = (gateway.spec as GatewaySpec | undefined)?.servers?.[0]?.tls?.mode;
      step.expect(mode === 'MUTUAL', `the stored Gateway has mode ${mode}`);
      step.observed = `Secret ${names.credential} holds tls.crt, tls.key and ca.crt; Gateway stored with mode MUTUAL`;
    },
  },
  {
    id: 'SDS-M2',
    title: 'curl without a client certificate is refused by the server',
    dependsOn: ['SDS-S4', 'SDS-M1'],
    run: async (context, step: StepHandle) => {
      step.expected = "the server's TLS refuses the handshake: alert handshake_failure (TLS 1.2) or certificate_required (TLS 1.3)";
      const seen = await awaitObservation(context, step, step.expected, curl(context, '/status/418', false), refusedWithoutCertificate);
      step.observed = `TLS alert ${seen.alert} from the server`;
    },
  },
  {
    id: 'SDS-M3',
    title: "curl with the client's certificate and key answers 418",
    dependsOn: ['SDS-M2'],
    run: async (context, step: StepHandle) => {
      step.expected = 'HTTP/2 418 from httpbin through MUTUAL, with the client certificate';
      const seen = await awaitObservation(context, step, step.expected, curl(context, '/status/418', true), isTeapot);
      step.observed = peerText(seen);
    },
  },
  {
    id: 'SDS-R1',
    title: 'replace the credential with a new server certificate: served without a restart',
    dependsOn: ['SDS-M3'],
    run: async (context, step: StepHandle) => {
      const { names, chain, rotatedServer } = context;
      const before = need(context.gatewayPod, 'the gateway pod');
      const serial = certificateSummary(rotatedServer.certPem).serialNumber;
      step.expected = `a new handshake gets the new certificate (serial ${serialOf(serial)}) from the same gateway pod ${before.name}, not restarted`;
      const updated = Date.now();
      await writeSecret(context, credentialSecret(names, rotatedServer, chain.caChainPem));
      const seen = await awaitServedSerial(context, step, serial, true);
      const tookMs = Date.now() - updated;
      const now = (await gatewayPodStates(context)).find((pod) => pod.uid === before.uid);
      step.expect(now !== undefined, `the gateway pod ${before.name} is gone: the rotation replaced it`);
      step.expect(now.restarts === before.restarts, `the gateway pod ${before.name} restarted (${before.restarts} -> ${now.restarts} restarts)`);
      step.observed = `${peerText(seen)} ${tookMs} ms after the update; pod ${now.name} kept, ${now.restarts} restarts`;
    },
  },
  {
    id: 'SDS-X1',
    title: 'delete the Gateway, the VirtualService and the credential',
    always: true,
    run: (context, step: StepHandle) => restoreRunObjects(context, step),
  },
  {
    id: 'SDS-X2',
    title: 'the host is no longer served',
    always: true,
    notApplicable: (context) => (context.served ? undefined : 'the host was never served in this run'),
    run: async (context, step: StepHandle) => {
      step.expected = `no route for ${context.names.host} at the gateway: the connection is refused or closed, or the gateway itself answers 404`;
      const notServed = (o: Observation): o is Observation => !isResponse(o) || (o.status === 404 && header(o, 'server') === 'istio-envoy');
      const seen = await awaitObservation(context, step, step.expected, curl(context, '/status/418', true), notServed);
      step.observed = seenAs(seen).replace(/^the client saw: /, '');
    },
  },
];

