// What the step itself saw: its result as the report has it (expected, observed) and, when the
// step polled the probe, the probe's last structured observation (outcome, TLS alert, peer
// certificate's subject, serial and fingerprint, HTTP status and headers).
import type { PartContent, StepOutcome } from './types';

export function observationContent(step: StepOutcome, observation: unknown): PartContent {
  return {
    data: { result: step, observation: observation ?? null },
    notes: [observation === undefined ? 'the step recorded no structured observation (only its expected and observed text)' : "the probe's last observation before the step gave up"],
  };
}
