// The doc's curl as a classified observation: `probe(options)` dials TLS itself (node:tls), speaks
// HTTP over that connection (got), and returns what happened; it throws only for bad options.
import { classify } from './classify';
import { Deadline } from './deadline';
import { dialTls, type ProbeProgress } from './dial';
import { exchange } from './exchange';
import { planProbe } from './options';
import type { Observation, ProbeOptions } from './types';

export type * from './types';
export { DEFAULT_ACCEPT_WINDOW_MS, DEFAULT_ALPN, DEFAULT_BODY_LIMIT, parseResolve } from './options';
export { observationReport, renderObservation, type ObservationReport } from './render';

export async function probe(options: ProbeOptions): Promise<Observation> {
  const plan = planProbe(options);
  const deadline = new Deadline(plan.timeoutMs);
  const progress: ProbeProgress = { phase: 'dns', address: null, socket: null, tlsVersion: null };
  const context = () => ({ url: plan.url.href, address: progress.address, port: plan.port, elapsedMs: deadline.elapsedMs() });
  try {
    const connection = await dialTls(plan, deadline, progress);
    progress.phase = 'exchange';
    // The socket's own error (an alert, a reset) is more exact than what reaches got.
    const http = await deadline.within(Promise.race([exchange(connection, plan), connection.failed]));
    const { tlsVersion, alpn, peer } = connection;
    const detail = `HTTP/${http.httpVersion} ${http.status}`;
    return { ...context(), outcome: 'response', ...http, tlsVersion, alpn, peer, detail };
  } catch (error) {
    return classify(error, progress, context());
  } finally {
    deadline.clear();
    progress.socket?.destroy();
  }
}
export { holdConnection, type HeldAnswer, type HeldConnection, type HeldConnectionOptions } from './held-connection';
