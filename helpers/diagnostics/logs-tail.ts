// The last lines of a container's log (`kubectl logs --tail`). A PEM key block in it is redacted,
// and a line that still matches the key-material scan is withheld (the rest of the log stays).
import { logs, type KubeClient } from '../kube';
import type { KeyScanner } from './key-scan';
import type { PodRef } from './pods';
import { scrubText } from './scrub';
import type { PartContent } from './types';

export const TAIL_LINES = 200;

/** The log with PEM key blocks redacted and lines that still match withheld; how many were. */
export function safeLogText(text: string, scanner: KeyScanner): { text: string; withheld: number } {
  let withheld = 0;
  const lines = scrubText(text)
    .split('\n')
    .map((line) => {
      if (scanner.findings(line).length === 0) return line;
      withheld += 1;
      return '[line withheld: it matched the key-material scan]';
    });
  return { text: lines.join('\n'), withheld };
}

export async function collectLogTail(kube: KubeClient, pod: PodRef, container: string | undefined, scanner: KeyScanner): Promise<PartContent> {
  const text = await logs(kube, { namespace: pod.namespace, pod: pod.name, container, tailLines: TAIL_LINES });
  const safe = safeLogText(text, scanner);
  const count = text.split('\n').filter(Boolean).length;
  return {
    text: safe.text,
    notes: [
      `the last ${count} line(s) (at most ${TAIL_LINES}) of ${pod.namespace}/${pod.name}${container ? `, container ${container}` : ''}`,
      ...(safe.withheld > 0 ? [`${safe.withheld} line(s) withheld: they matched the key-material scan`] : []),
    ],
  };
}
