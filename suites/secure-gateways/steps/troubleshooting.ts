// T: the doc's troubleshooting checks, run as assertions. They look into the gateway pod with
// `kubectl exec` and `kubectl logs`, as the doc does.
import { X509Certificate } from 'node:crypto';
import { commandMissing, exec, ingressAddress, logs, type ExecResult } from '../../../helpers/kube';
import { FILE_MOUNT } from '../manifests';
import { certificateSummary } from '../../../helpers/pki';
import type { StepDefinition, StepHandle } from '../../runtime/step';
import { need, type SecureGatewaysContext } from '../context';
import { gatewayLogErrors } from '../gateway-log';
import { envoyCerts, findServedCertificate, sameSerial } from './envoy-admin';
import { curlBuildStep } from './doc-curl';
import { gatewayServiceObject } from '../step-objects';

/** The gateway pod's proxy container (istioctl's and the Helm chart's gateways). */
export const PROXY_CONTAINER = 'istio-proxy';
// The file checks need the file-mount profile, and an image that has the doc's ls and cat (a
// distroless gateway image has neither: the first check that finds out says so for all four).
const fileMountOnly = (context: SecureGatewaysContext): string | undefined => {
  if (context.profile !== 'file-mount') return `profile ${context.profile}: the certificates are served by istiod over SDS, not mounted into the pod`;
  return context.fileToolsMissing;
};

/**
 * `kubectl exec <gateway pod> -c istio-proxy -- <command>`, polled until it shows what is expected.
 * The first call also tells whether the container can run the command at all: if not (distroless),
 * the step is skipped with that reason at once, and so are the other file checks.
 */
async function awaitExec(context: SecureGatewaysContext, step: StepHandle, expected: string, command: string[], holds: (result: ExecResult) => boolean): Promise<ExecResult> {
  const pod = need(context.gatewayPod, 'the gateway pod');
  const run = () => exec(context.kube, { namespace: context.names.gatewayNamespace, pod, container: PROXY_CONTAINER, command });
  const first = await run().then(
    (result) => result,
    (error: unknown) => error,
  );
  const missing = commandMissing(first, command.join(' '));
  if (missing) {
    context.fileToolsMissing = `${missing}: the doc's file checks need ls and cat in the gateway image (a distroless image has neither)`;
    step.skip(context.fileToolsMissing);
  }
  if (!(first instanceof Error) && holds(first as ExecResult)) return first as ExecResult;
  const poll = {
    budgetMs: context.budgets.waitMs,
    converge: 1,
    initialDelayMs: 200,
    maxDelayMs: 2_000,
    render: (result: ExecResult) => `\`${command.join(' ')}\` exited ${result.exitCode}: ${(result.stdout + result.stderr).trim().split('\n').slice(0, 6).join(' | ')}`,
  };
  return step.awaitState(expected, run, holds, poll, (timeout) => timeout.message.replace(/^.*?last observed: /, ''));
}

// A mounted Secret's keys are symlinks into `..data` (`tls.crt -> ..data/tls.crt`), as the kubelet
// writes them; a plain file is accepted too.
export const listsFiles = (...files: string[]) => (result: ExecResult) =>
  result.exitCode === 0 && files.every((file) => new RegExp(`\\s${file.replace(/\./g, '\\.')}( -> \\S+)?$`, 'm').test(result.stdout));

function firstCertificate(pem: string): X509Certificate | undefined {
  const block = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)?.[0];
  try {
    return block ? new X509Certificate(block) : undefined;
  } catch {
    return undefined;
  }
}

export const troubleshooting: StepDefinition<SecureGatewaysContext>[] = [
  {
    id: 'SG-T1',
    title: 'kubectl get svc -n istio-system: INGRESS_HOST and SECURE_INGRESS_PORT match the Service',
    dependsOn: ['SG-B2'],
    objects: (context) => [gatewayServiceObject(context)],
    run: async (context, step: StepHandle) => {
      const used = need(context.ingress, 'the ingress address');
      step.expected = `the Service still gives ${used.address}:${used.port}`;
      const now = await ingressAddress(context.kube, { namespace: context.names.gatewayNamespace, name: context.gatewayService }, context.settings.INGRESS_ADDRESS);
      step.expect(now.address === used.address && now.port === used.port, `the Service now gives ${now.address}:${now.port} (${now.source})`);
      step.observed = `INGRESS_HOST=${now.address}, SECURE_INGRESS_PORT=${now.port}`;
    },
  },
  {
    id: 'SG-T2',
    title: 'ls -al /etc/istio/ingressgateway-certs in the gateway pod',
    dependsOn: ['SG-B1', 'SG-S1'],
    notApplicable: fileMountOnly,
    run: async (context, step: StepHandle) => {
      step.expected = `tls.crt and tls.key in ${FILE_MOUNT.certDir} of the gateway pod`;
      await awaitExec(context, step, step.expected, ['ls', '-al', FILE_MOUNT.certDir], listsFiles('tls.crt', 'tls.key'));
      step.observed = `tls.crt and tls.key present in ${FILE_MOUNT.certDir}`;
    },
  },
  {
    id: 'SG-T3',
    title: 'the Subject of that tls.crt',
    dependsOn: ['SG-T2'],
    notApplicable: fileMountOnly,
    run: async (context, step: StepHandle) => {
      const server = certificateSummary(need(context.chain, 'the chain').server.certPem);
      step.expected = `tls.crt in the pod has CN=${context.names.host} and serial ${server.serialNumber}`;
      const result = await awaitExec(context, step, step.expected, ['cat', `${FILE_MOUNT.certDir}/tls.crt`], (r) => r.exitCode === 0 && firstCertificate(r.stdout) !== undefined);
      const mounted = certificateSummary(firstCertificate(result.stdout)!.toString());
      step.expect(mounted.subject.CN === context.names.host && sameSerial(mounted.serialNumber, server.serialNumber), `the pod's tls.crt has CN=${mounted.subject.CN}, serial ${mounted.serialNumber}`);
      step.observed = `Subject CN=${mounted.subject.CN}, serial ${mounted.serialNumber}`;
    },
  },
  {
    id: 'SG-T4',
    title: "the proxy serves the certificate (admin GET /certs)",
    dependsOn: ['SG-S4'],
    run: async (context, step: StepHandle) => {
      const server = certificateSummary(need(context.chain, 'the chain').server.certPem);
      step.expected = `/certs lists a cert_chain entry with serial ${server.serialNumber} and DNS SAN ${context.names.host}, days until expiration > 0`;
      const pod = need(context.gatewayPod, 'the gateway pod');
      const certs = await envoyCerts(context.kube, context.names.gatewayNamespace, pod, PROXY_CONTAINER);
      const found = findServedCertificate(certs, server.serialNumber);
      step.expect(found !== undefined, `/certs lists serials ${certs.flatMap((c) => c.cert_chain ?? []).map((d) => d.serial_number).join(', ') || 'none'}`);
      const sans = (found.subject_alt_names ?? []).map((san) => san.dns).filter(Boolean);
      const days = Number(found.days_until_expiration);
      step.expect(sans.includes(context.names.host) && days > 0, `the entry has SANs ${sans.join(', ') || 'none'} and days_until_expiration ${found.days_until_expiration}`);
      step.observed = `served: serial ${found.serial_number}, path ${found.path}, ${days} days until expiration`;
    },
  },
  {
    id: 'SG-T5',
    title: 'the gateway logs have no errors',
    dependsOn: ['SG-B1', 'SG-S2'],
    run: async (context, step: StepHandle) => {
      const since = need(context.configChangedAt, 'the time the config changed');
      step.expected = `no certificate or config errors in the gateway's log since ${since.toISOString()}`;
      const text = await logs(context.kube, { namespace: context.names.gatewayNamespace, pod: need(context.gatewayPod, 'the gateway pod'), container: PROXY_CONTAINER, since });
      const { errors, resolvedWaits } = gatewayLogErrors(text);
      step.expect(errors.length === 0, `${errors.length} error line(s), first: ${errors[0]?.slice(0, 300)}`);
      const waits = resolvedWaits.length > 0 ? ` (${resolvedWaits.length} about a mounted file not there yet, read once it appeared)` : '';
      step.observed = `${text.split('\n').filter(Boolean).length} log lines since then, none about certificates or rejected config${waits}`;
    },
  },
  curlBuildStep({ id: 'SG-T6', title: 'macOS: curl built with LibreSSL (as SG-B3)' }),
  {
    id: 'SG-T7',
    title: 'ls -al /etc/istio/ingressgateway-ca-certs in the gateway pod',
    dependsOn: ['SG-B1', 'SG-M1'],
    notApplicable: fileMountOnly,
    run: async (context, step: StepHandle) => {
      step.expected = `${FILE_MOUNT.caFile} in ${FILE_MOUNT.caDir} of the gateway pod`;
      await awaitExec(context, step, step.expected, ['ls', '-al', FILE_MOUNT.caDir], listsFiles(FILE_MOUNT.caFile));
      step.observed = `${FILE_MOUNT.caFile} present in ${FILE_MOUNT.caDir}`;
    },
  },
  {
    id: 'SG-T8',
    title: 'the Subject of the CA file in the pod',
    dependsOn: ['SG-T7'],
    notApplicable: fileMountOnly,
    run: async (context, step: StepHandle) => {
      const intermediate = certificateSummary(need(context.chain, 'the chain').intermediate.certPem);
      step.expected = `the CA file's first certificate is the intermediate, CN=${intermediate.subject.CN}`;
      const result = await awaitExec(context, step, step.expected, ['cat', `${FILE_MOUNT.caDir}/${FILE_MOUNT.caFile}`], (r) => r.exitCode === 0 && firstCertificate(r.stdout) !== undefined);
      const first = certificateSummary(firstCertificate(result.stdout)!.toString());
      step.expect(first.subject.CN === intermediate.subject.CN, `its first certificate has CN=${first.subject.CN}`);
      step.observed = `Subject CN=${first.subject.CN}`;
    },
  },
];
