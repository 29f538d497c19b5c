// X: cleanup. Runs whatever happened before: deletes what the suite made, puts back what it
// replaced, and checks the host is no longer served.
import { EventuallyTimeout } from '../../../helpers/eventually';
import { deleteObject, get, isOwned } from '../../../helpers/kube';
import { restoreRunObjects } from '../../runtime/restore-ledger';
import type { StepDefinition, StepHandle } from '../../runtime/step';
import type { SecureGatewaysContext } from '../context';
import type { Observation } from '../../../helpers/probe';
import { awaitObservation, curl, header, isResponse, seenAs } from '../observe';
import { httpbinObjects } from '../step-objects';

export const cleanup: StepDefinition<SecureGatewaysContext>[] = [
  {
    id: 'SG-X1',
    title: 'delete the Gateway, the VirtualService and both secrets',
    always: true,
    run: (context, step: StepHandle) => restoreRunObjects(context, step),
  },
  {
    id: 'SG-X2',
    title: 'delete the httpbin sample (only when the suite deployed it)',
    always: true,
    objects: httpbinObjects,
    run: async (context, step: StepHandle) => {
      const refs = httpbinObjects(context);
      const found = await Promise.all(refs.map((ref) => get(context.kube, ref)));
      if (!found.some((object) => object && isOwned(object))) {
        step.observed = 'httpbin was not deployed by the suite: left in place';
        return;
      }
      step.expected = 'the httpbin Deployment and Service the suite deployed are gone';
      // Each deletion is awaited within the wait budget; one that never completes (a finalizer
      // nobody clears) is what is left behind, and the other object is still deleted.
      const left: string[] = [];
      for (const [index, ref] of refs.entries()) {
        if (!found[index] || !isOwned(found[index])) continue;
        try {
          await deleteObject(context.kube, ref, { waitBudgetMs: context.budgets.waitMs });
        } catch (error) {
          if (!(error instanceof EventuallyTimeout)) throw error;
          left.push(`${ref.kind} ${ref.namespace}/${ref.name} after ${Math.round(error.elapsedMs / 1000)} s (${error.message.replace(/^.*last observed: /, '')})`);
        }
      }
      step.expect(left.length === 0, `still there: ${left.join('; ')}`);
      const after = await Promise.all(refs.map((ref) => get(context.kube, ref)));
      step.expect(after.every((object) => object === undefined), 'httpbin objects are still there');
      step.observed = 'httpbin Deployment and Service deleted';
    },
  },
  {
    id: 'SG-X3',
    title: 'the host is no longer served',
    always: true,
    notApplicable: (context) => (context.served ? undefined : 'the host was never served in this run (the SIMPLE curl never answered 418)'),
    run: async (context, step: StepHandle) => {
      step.expected = `no route for ${context.names.host} at the gateway: the connection is refused or closed, or the gateway itself answers 404`;
      // After SG-X2 httpbin is gone, so a route the gateway kept answers 503 rather than 418: only
      // the absence of a route (no listener, no filter chain, or Envoy's own 404) counts as cleaned up.
      const notServed = (o: Observation): o is Observation => !isResponse(o) || (o.status === 404 && header(o, 'server') === 'istio-envoy');
      const seen = await awaitObservation(context, step, step.expected, curl(context, '/status/418', 'doc-client'), notServed);
      step.observed = seenAs(seen).replace(/^the client saw: /, '');
    },
  },
];
