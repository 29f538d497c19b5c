// The doc's own curl, run as the doc writes it, beside the probe: after SG-S4, SG-M3 and SG-M4
// have seen the gateway through the probe, the machine's real curl (OpenSSL, nghttp2) must see
// the same thing with the doc's command line. A gateway that answers one client and not the other
// fails here, with both clients' words. Where no curl is installed the steps are skipped with that
// reason; the probe's steps still stand.
import path from 'node:path';
import { stillSo } from '../../runtime/await-state';
import { commonName, findCurl, renderCurl, runCurl, spawnCollect, type CurlObservation } from '../../../helpers/probe/curl-cli';
import type { StepDefinition, StepHandle } from '../../runtime/step';
import { need, type SecureGatewaysContext } from '../context';

type Client = 'none' | 'doc-client';

/** The doc's curl for the host, from the doc's folders (relative paths, as the doc types them). */
function docCurl(context: SecureGatewaysContext, client: Client): () => Promise<CurlObservation> {
  const layout = need(context.layout, 'the doc layout');
  const ingress = need(context.ingress, 'the ingress address');
  const relative = (file: string) => path.relative(context.certDir, file);
  return () =>
    runCurl({
      cwd: context.certDir,
      host: context.names.host,
      port: ingress.port,
      address: ingress.address,
      path: '/status/418',
      cacert: relative(layout.caChain),
      ...(client === 'doc-client' ? { cert: relative(layout.clientCert), key: relative(layout.clientKey) } : {}),
      tlsMax: context.settings.TLS_MAX,
      timeoutMs: context.budgets.requestMs,
    });
}

/** 418 with httpbin's teapot over HTTP/2 from a server whose certificate names the host. */
export function curlSawTeapot(host: string): (seen: CurlObservation) => boolean {
  return (seen) => seen.outcome === 'response' && seen.status === 418 && /teapot/i.test(seen.body) && seen.httpVersion === '2' && commonName(seen.peerSubject) === host;
}

/** Refused by the server's TLS stack without a client certificate (as SG-M3 counts it). */
export function curlSawRefusal(seen: CurlObservation): boolean {
  return seen.outcome === 'tls-alert' && ['handshake_failure', 'certificate_required'].includes(seen.alert ?? '');
}

function unavailable(): string | undefined {
  return findCurl() ? undefined : 'no curl on PATH: the doc\'s own client cannot be run beside the probe (install curl to compare the two)';
}

async function awaitCurl(context: SecureGatewaysContext, step: StepHandle, expected: string, observe: () => Promise<CurlObservation>, holds: (seen: CurlObservation) => boolean): Promise<CurlObservation> {
  const poll = { budgetMs: context.budgets.waitMs, converge: 1, initialDelayMs: 20, maxDelayMs: 320, render: renderCurl };
  return step.awaitState(expected, observe, holds, poll, (timeout) => {
    const last = timeout.last;
    const observed = last === undefined ? 'curl was never run' : last.ok ? `${renderCurl(last.value)}, with \`${last.value.commandLine}\`` : String(last.error);
    return `${observed} ${stillSo(timeout, 'runs')}, while the probe saw it pass`;
  });
}

interface DocCurlStep {
  id: string;
  /** The probe's step that saw the same thing first. */
  dependsOn: [string];
  title: string;
  client: Client;
  expected: (context: SecureGatewaysContext) => string;
  holds: (context: SecureGatewaysContext) => (seen: CurlObservation) => boolean;
}

function docCurlStep(spec: DocCurlStep): StepDefinition<SecureGatewaysContext> {
  return {
    id: spec.id,
    title: spec.title,
    dependsOn: spec.dependsOn,
    notApplicable: unavailable,
    run: async (context, step: StepHandle) => {
      step.expected = `${spec.expected(context)}, as the probe saw in ${spec.dependsOn[0]}`;
      const seen = await awaitCurl(context, step, step.expected, docCurl(context, spec.client), spec.holds(context));
      step.observed = `${renderCurl(seen)} with \`${seen.commandLine}\``;
    },
  };
}

const teapot = (context: SecureGatewaysContext) => `HTTP/2 418 with the teapot from a server with CN=${context.names.host}`;

export const docCurlSimple = docCurlStep({
  id: 'SG-S4-curl',
  dependsOn: ['SG-S4'],
  title: "the doc's own curl (the machine's curl binary, the doc's command line) answers 418 too",
  client: 'none',
  expected: teapot,
  holds: (context) => curlSawTeapot(context.names.host),
});

export const docCurlWithoutCertificate = docCurlStep({
  id: 'SG-M3-curl',
  dependsOn: ['SG-M3'],
  title: "the doc's own curl without a client certificate is refused by the server's TLS too",
  client: 'none',
  expected: () => 'refused by the server with alert handshake_failure (TLS 1.2) or certificate_required (TLS 1.3)',
  holds: () => curlSawRefusal,
});

export const docCurlWithCertificate = docCurlStep({
  id: 'SG-M4-curl',
  dependsOn: ['SG-M4'],
  title: "the doc's own curl with --cert/--key of the client answers 418 too",
  client: 'doc-client',
  expected: teapot,
  holds: (context) => curlSawTeapot(context.names.host),
});

/**
 * SG-B3 / SG-T6: the doc's macOS check that curl is built with LibreSSL (`curl --version | grep
 * LibreSSL`). It matters once the suite runs the doc's curl; on other systems the doc asks nothing.
 */
export function curlBuildStep({ id, title }: { id: string; title: string }, platform: NodeJS.Platform = process.platform): StepDefinition<SecureGatewaysContext> {
  return {
    id,
    title,
    notApplicable: () => {
      if (platform !== 'darwin') return `the doc's check is for macOS's curl; this machine runs ${platform}, whose curl the doc's-own-curl steps run as it is`;
      return unavailable();
    },
    run: async (_context, step: StepHandle) => {
      step.expected = 'curl --version names LibreSSL';
      const { stdout } = await spawnCollect(findCurl() ?? 'curl', ['--version']);
      const firstLine = stdout.split('\n')[0] ?? '';
      if (!libreSslBuild(firstLine)) step.fail(`curl --version says ${JSON.stringify(firstLine)}: use another curl, as the doc says`);
      step.observed = firstLine;
    },
  };
}

/** Pure: whether `curl --version`'s first line names LibreSSL as its TLS library. */
export function libreSslBuild(versionLine: string): boolean {
  return /\bLibreSSL\/\d/.test(versionLine);
}
