// The report's model: what one run of a catalogue produced, step by step. The catalogues' runtime
// (suites/runtime) writes it; the report writers and the flows read it.

export type StepStatus = 'passed' | 'failed' | 'skipped';

export interface StepResult {
  id: string;
  title: string;
  status: StepStatus;
  durationMs: number;
  /** When a step that ran began (ISO time), for the report's timeline. */
  startedAt?: string;
  /** Of durationMs, the time spent waiting for the gateway to show a state (eventually's polls). */
  waitMs?: number;
  expected?: string;
  observed?: string;
  reason?: string;
  /** A failed step's diagnostics bundle: its index.json, relative to its catalogue's report folder. */
  diagnostics?: string;
}


/** What the results file holds: facts about the run, then one result per catalogue step. */
export interface CatalogueResults {
  catalogue: string;
  run: Record<string, unknown>;
  steps: StepResult[];
}

/** A request sent while the control plane was upgraded (an upgrade rehearsal), and how it fared. */
export interface UpgradeProbe {
  /** ISO time the request was sent. */
  at: string;
  ok: boolean;
  /** What was seen, in the doc's terms ("HTTP/2 418", "connection reset"). */
  outcome: string;
}

export interface ConformanceReport {
  target: string;
  profile: string | null;
  /** Why that profile: configured, or what was detected on the gateway. */
  profileReason?: string;
  /** The networking.istio.io version the suite wrote (the newest the cluster serves). */
  networkingVersion?: string;
  istioVersion: string | null;
  kubernetesVersion: string | null;
  tools: Record<string, string>;
  startedAt: string;
  durationMs: number;
  steps: StepResult[];
  /** Only from runs that upgrade Istio while probing the gateway; absent otherwise. */
  upgradeProbes?: UpgradeProbe[];
}

/** How many steps passed, failed and were skipped. */
export function summarize(steps: StepResult[]): { passed: number; failed: number; skipped: number } {
  const count = (status: StepStatus) => steps.filter((step) => step.status === status).length;
  return { passed: count('passed'), failed: count('failed'), skipped: count('skipped') };
}
