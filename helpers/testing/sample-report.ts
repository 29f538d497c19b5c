// A conformance report with a passed, a failed and a skipped step (and a waiting step), shaped as a
// twin run writes it, for the report writers' tests. Its observed text carries markup and an
// ampersand on purpose: the HTML page must show them as text.
import type { ConformanceReport } from '../report';

export const HOSTILE_OBSERVATION = 'it answered HTTP/2 418 <script>console.error("injected")</script> & kept the route';

/** Step start times are offsets from the run's start, as the ledger records them. */
export function sampleReport(startedAt = new Date('2026-12-07T10:00:00.000Z')): ConformanceReport {
  const at = (offsetMs: number) => new Date(startedAt.getTime() + offsetMs).toISOString();
  return {
    target: 'twin',
    profile: 'file-mount',
    profileReason: 'PROFILE=auto and the gateway mounts both doc secrets',
    networkingVersion: 'networking.istio.io/v1',
    istioVersion: '1.31-dev',
    kubernetesVersion: 'v1.36.3',
    tools: { kubernetes: 'v1.36.3' },
    startedAt: startedAt.toISOString(),
    durationMs: 30_000,
    steps: [
      { id: 'SG-C1', title: 'generate the certificate chain', status: 'passed', durationMs: 400, startedAt: at(16_000), observed: 'chain verified by openssl verify' },
      { id: 'SG-S4', title: 'curl the host over HTTPS (SIMPLE)', status: 'passed', durationMs: 2_600, startedAt: at(16_500), waitMs: 2_300, observed: 'HTTP/2 418 "I\'m a teapot!"' },
      {
        id: 'SG-M3',
        title: 'MUTUAL refuses a client without a certificate',
        status: 'failed',
        durationMs: 10_100,
        startedAt: at(19_200),
        waitMs: 10_000,
        expected: 'a TLS refusal (handshake_failure or certificate_required)',
        observed: HOSTILE_OBSERVATION,
      },
      { id: 'SG-M4', title: 'MUTUAL serves the doc client', status: 'skipped', durationMs: 0, reason: 'depends on SG-M3 (failed)' },
      { id: 'SG-X1', title: 'delete the Gateway, the VirtualService and both secrets', status: 'passed', durationMs: 300, startedAt: at(29_400), observed: 'Gateway deleted' },
    ],
  };
}
