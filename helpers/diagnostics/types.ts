// The shapes of a diagnostics bundle: what a part collects, and the index.json that lists a
// step's files, what each holds, and why any part could not be collected.
import type { KubeClient, ObjectRef } from '../kube';

export type PartStatus = 'collected' | 'partial' | 'not-collected';

/** What one part brought back: JSON data (written pretty-printed) or text (written as it is). */
export interface PartContent {
  data?: unknown;
  text?: string;
  /** Some of it could not be collected: why, in one line. */
  partial?: string;
  /** Facts a reader needs about how it was collected (which pod, how much was redacted). */
  notes?: string[];
}

export interface DiagnosticPart {
  name: string;
  file: string;
  /** What the file holds, in words (index.json). */
  holds: string;
  collect(budgetMs: number): Promise<PartContent>;
}

/** One line of index.json. */
export interface PartEntry {
  part: string;
  status: PartStatus;
  /** Present when the file was written. */
  file?: string;
  holds: string;
  bytes?: number;
  durationMs: number;
  /** Why it is partial or missing, in one line. */
  reason?: string;
  notes?: string[];
}

/** The step the bundle is about, as the conformance report has it. */
export interface StepOutcome {
  id: string;
  title: string;
  status: string;
  durationMs: number;
  expected?: string;
  observed?: string;
}

export interface Budgets {
  /** Each part's budget, in ms. */
  partMs: number;
  /** The whole bundle's, in ms (the parts run side by side). */
  bundleMs: number;
}

export interface BundleIndex {
  catalogue: string;
  step: StepOutcome;
  collectedAt: string;
  durationMs: number;
  budgets: Budgets;
  parts: PartEntry[];
}

/** Where the failed step's cluster state is: the gateway, istiod, and what the step depends on. */
export interface DiagnosticsTarget {
  kube: KubeClient;
  gateway: {
    namespace: string;
    /** The gateway pods' `istio` label value. */
    selector: string;
    /** The pod the step looked at, when it is known. */
    pod?: string;
    container: string;
  };
  /** istiod's namespace when known; otherwise found from its Deployment (label app=istiod). */
  istiodNamespace?: string;
  /** Namespaces whose events are collected. */
  namespaces: string[];
  /** Secrets whose metadata (never data) is collected. */
  secrets: Array<{ namespace: string; name: string }>;
  /** The objects the step depends on. */
  objects: ObjectRef[];
}
