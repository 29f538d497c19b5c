// Connections opened before a config change: the gateway must drain them. Envoy keeps serving a
// connection on the filter chain it was accepted on; when that chain is replaced (SIMPLE to MUTUAL)
// the connection's next answer carries the drain signal (HTTP/2 GOAWAY), nothing is answered on it
// after that, and it is closed within the drain time (envoyproxy/envoy
// source/common/listener_manager/listener_manager_impl.cc, drainFilterChains;
// source/common/http/conn_manager_impl.cc, startDrainSequence). Released Envoy sends that GOAWAY
// only with an answer (envoyproxy/envoy#14350), so one more answer without a client certificate is
// what Envoy does; a gateway that refuses it (or sent GOAWAY already) passes as well.
//
// Two steps, for the lead to place: SG-S6 after SG-S4 (SIMPLE serves), SG-M6 after SG-M3 (MUTUAL
// in force for new connections). The held connection passes from one to the other here.
import { holdConnection, type HeldAnswer, type HeldConnection } from '../../../helpers/probe';
import type { StepDefinition, StepHandle } from '../../runtime/step';
import { need, type SecureGatewaysContext } from '../context';

const held = new WeakMap<SecureGatewaysContext, HeldConnection>();

const answerText = (answer: HeldAnswer): string =>
  answer.outcome === 'response' ? `HTTP/2 ${answer.status}` : answer.outcome === 'not-sent' ? `not sent (${answer.reason === 'goaway' ? 'GOAWAY received' : 'connection closed'})` : `no answer (${answer.detail})`;

export const drainSteps: StepDefinition<SecureGatewaysContext>[] = [
  {
    id: 'SG-S6',
    title: 'an HTTP/2 connection opened under SIMPLE is held open',
    dependsOn: ['SG-S4'],
    run: async (context, step: StepHandle) => {
      const chain = need(context.chain, 'the certificate chain');
      const ingress = need(context.ingress, 'the ingress address');
      step.expected = 'an HTTP/2 connection (ALPN h2) that answers /status/418 with 418, kept open to be drained after the switch to MUTUAL';
      let connection: HeldConnection;
      try {
        connection = await holdConnection({
          host: context.names.host,
          port: ingress.port,
          address: ingress.address,
          ca: chain.caChainPem,
          protocol: 'h2',
          tlsMax: context.settings.TLS_MAX,
          timeoutMs: context.budgets.requestMs,
        });
      } catch (error) {
        step.fail(`the connection could not be opened: ${(error as Error).message}`);
      }
      const answer = await connection.get('/status/418');
      if (answer.outcome !== 'response' || answer.status !== 418) connection.close();
      step.expect(answer.outcome === 'response' && answer.status === 418, answerText(answer));
      held.set(context, connection);
      step.observed = 'HTTP/2 418 on the held connection';
    },
  },
  {
    id: 'SG-M6',
    title: 'the connection opened under SIMPLE is drained after the switch to MUTUAL',
    dependsOn: ['SG-S6', 'SG-M3'],
    run: async (context, step: StepHandle) => {
      const connection = need(held.get(context), 'the connection held open under SIMPLE');
      const switchedAt = Date.now();
      step.expected =
        'on the connection opened under SIMPLE: at most one more answer, with GOAWAY; no answer after that; the connection closed within the wait budget (Envoy drain time)';
      try {
        const first = await connection.get('/status/418');
        if (first.outcome === 'response') {
          // Envoy's shutdown notice comes with the answer that finds the connection draining.
          const goaway = await connection.goaway(context.budgets.requestMs).then(
            () => true,
            () => false,
          );
          step.expect(goaway, `${answerText(first)} after the switch, and no GOAWAY within ${context.budgets.requestMs} ms`);
        }
        const second = await connection.get('/status/418');
        step.expect(second.outcome !== 'response', `it answered again after the drain signal (${answerText(first)}, then ${answerText(second)})`);
        const closedAt = await connection.closed(context.budgets.waitMs).catch(() => null);
        step.expect(closedAt !== null, `${answerText(first)}, then ${answerText(second)}; still open ${Math.round(context.budgets.waitMs / 1000)} s after the switch`);
        step.observed = `${answerText(first)}, then ${answerText(second)}; closed ${((closedAt - switchedAt) / 1000).toFixed(1)} s after MUTUAL was in force`;
      } finally {
        connection.close();
        held.delete(context);
      }
    },
  },
];
