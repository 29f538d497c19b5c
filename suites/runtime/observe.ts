// How a catalogue's steps wait for what they observe of a gateway (helpers/probe), as upstream
// Istio waits, and the verdicts every TLS catalogue shares about what counts as which outcome.
import { renderObservation, type Observation, type ResponseObservation, type TlsAlertObservation } from '../../helpers/probe';
import { stillSo } from './await-state';
import type { StepHandle } from './step';

/** A step's wait budget, the passes in a row it wants, and one request's budget. */
export interface Budgets {
  waitMs: number;
  requestMs: number;
  converge: number;
}

/**
 * Polls until the verdict holds (budget, backoff, passes in a row) and returns the observation;
 * on timeout fails the step with the expectation and the last observation in the doc's terms.
 */
export async function awaitObservation<Seen extends Observation>(
  context: { budgets: Budgets },
  step: StepHandle,
  expected: string,
  observe: () => Promise<Observation>,
  holds: (observation: Observation) => observation is Seen,
): Promise<Seen> {
  const poll = { budgetMs: context.budgets.waitMs, converge: context.budgets.converge, initialDelayMs: 20, maxDelayMs: 320, render: renderObservation };
  return (await step.awaitState(expected, observe, holds, poll, (timeout) => {
    const last = timeout.last;
    const observed = last === undefined ? 'nothing was observed' : last.ok ? seenAs(last.value) : String(last.error);
    return `${observed} ${stillSo(timeout)}`;
  })) as Seen;
}

/** The observation in the doc's terms, as a failure message's "but …" clause. */
export function seenAs(observation: Observation): string {
  if (observation.outcome === 'response') return `it answered HTTP/${observation.httpVersion} ${observation.status}`;
  return `the client saw: ${renderObservation(observation)}`;
}

export function isResponse(observation: Observation): observation is ResponseObservation {
  return observation.outcome === 'response';
}

/** httpbin's /status/418: current go-httpbin says "I'm a teapot!", the old sample drew one. */
export function isTeapot(observation: Observation): observation is ResponseObservation {
  return isResponse(observation) && observation.status === 418 && /teapot/i.test(observation.body);
}

/** Which teapot httpbin drew, for the observed text (the body is the sample's, never key material). */
export function teapotBody(observation: ResponseObservation): string {
  if (/-=\[ teapot \]=-/.test(observation.body)) return 'the old sample\'s ASCII teapot';
  const line = observation.body.trim().split('\n')[0] ?? '';
  return JSON.stringify(line.length > 40 ? `${line.slice(0, 40)}…` : line);
}

/**
 * MUTUAL without a client certificate: refused by the server's TLS stack. TLS 1.2 fails in the
 * handshake with handshake_failure; TLS 1.3 sends certificate_required, seen on the first read.
 * A timeout, a refused TCP connection, a reset or an untrusted server is NOT this.
 */
export function refusedWithoutCertificate(observation: Observation): observation is TlsAlertObservation {
  return observation.outcome === 'tls-alert' && ['handshake_failure', 'certificate_required'].includes(observation.alert);
}

/** A client certificate from a CA the gateway does not trust: alert unknown_ca from the server. */
export function refusedUnknownCa(observation: Observation): observation is TlsAlertObservation {
  return observation.outcome === 'tls-alert' && observation.alert === 'unknown_ca';
}

/** The header value as one string (HTTP/2 headers are lower-case). */
export function header(observation: ResponseObservation, name: string): string | undefined {
  const value = observation.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}
