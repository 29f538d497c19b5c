// The objects the failed step depends on (the Gateway, the VirtualService, the gateway's Service,
// …) as the API server has them now, without managedFields and kubectl's last-applied copy, and
// with any Secret's data redacted.
import { get, redacted, type KubeClient, type KubeObject, type ObjectRef } from '../kube';
import { oneLine } from '../kube/errors';
import type { PartContent } from './types';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function describe(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** The object as a person reads it: no managedFields, no last-applied copy, Secret data redacted. */
export function readable(object: KubeObject): KubeObject {
  const copy = redacted(object);
  if (copy.metadata) {
    delete copy.metadata.managedFields;
    if (copy.metadata.annotations) delete copy.metadata.annotations[LAST_APPLIED];
  }
  return copy;
}

export async function collectStepObjects(kube: KubeClient, refs: ObjectRef[]): Promise<PartContent> {
  const outcomes = await Promise.all(
    refs.map(async (ref) => {
      try {
        const object = await get(kube, ref);
        return { ref: describe(ref), found: object !== undefined, ...(object ? { object: readable(object) } : {}) };
      } catch (error) {
        return { ref: describe(ref), error: oneLine((error as Error).message) };
      }
    }),
  );
  const failed = outcomes.filter((outcome): outcome is { ref: string; error: string } => 'error' in outcome);
  if (refs.length > 0 && failed.length === refs.length) throw new Error(failed.map((outcome) => outcome.error).join('; '));
  return {
    data: outcomes,
    partial: failed.length > 0 ? failed.map((outcome) => outcome.error).join('; ') : undefined,
    notes: [`${outcomes.filter((outcome) => 'found' in outcome && outcome.found).length} of ${refs.length} object(s) found: ${refs.map(describe).join(', ')}`],
  };
}
