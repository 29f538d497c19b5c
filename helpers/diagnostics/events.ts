// The events of the namespaces the catalogue uses (kubectl get events), oldest first, as a
// person reads them: when, what, which object, why, and the message.
import { list, type KubeClient, type KubeObject } from '../kube';
import { oneLine } from '../kube/errors';
import type { PartContent } from './types';

type Event = KubeObject & {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  involvedObject?: { kind?: string; namespace?: string; name?: string };
  source?: { component?: string };
  reportingComponent?: string;
};

/** At most this many events a namespace, the newest. */
export const EVENTS_PER_NAMESPACE = 200;

function when(event: Event): string {
  return event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? (event.metadata?.creationTimestamp as string | undefined) ?? '';
}

export function eventLines(events: Event[]): Array<Record<string, unknown>> {
  return [...events]
    .sort((a, b) => when(a).localeCompare(when(b)))
    .slice(-EVENTS_PER_NAMESPACE)
    .map((event) => ({
      time: when(event),
      type: event.type,
      reason: event.reason,
      object: `${event.involvedObject?.kind ?? '?'}/${event.involvedObject?.name ?? '?'}`,
      source: event.source?.component ?? event.reportingComponent,
      count: event.count,
      message: event.message,
    }));
}

export async function collectEvents(kube: KubeClient, namespaces: string[]): Promise<PartContent> {
  const outcomes = await Promise.all(
    namespaces.map(async (namespace) => {
      try {
        return { namespace, events: eventLines(await list<Event>(kube, { apiVersion: 'v1', kind: 'Event', namespace })) };
      } catch (error) {
        return { namespace, error: oneLine((error as Error).message) };
      }
    }),
  );
  const failed = outcomes.filter((outcome) => 'error' in outcome);
  if (failed.length === outcomes.length) throw new Error(failed.map((outcome) => outcome.error).join('; '));
  return {
    data: Object.fromEntries(outcomes.map((outcome) => [outcome.namespace, 'error' in outcome ? { error: outcome.error } : outcome.events])),
    partial: failed.length > 0 ? failed.map((outcome) => outcome.error).join('; ') : undefined,
    notes: outcomes.map((outcome) => ('events' in outcome ? `${outcome.namespace}: ${outcome.events!.length} event(s)` : `${outcome.namespace}: not collected`)),
  };
}
