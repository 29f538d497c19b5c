// The conformance report: one JSON document a run, one entry per catalogue step in catalogue
// order, with what was expected and observed. It never holds key material: steps report
// certificates by subject and serial only, and the writer refuses anything that looks like a key.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { StepResult } from '../../suites/runtime/results';

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
}

export function summarize(steps: StepResult[]): { passed: number; failed: number; skipped: number } {
  const count = (status: StepResult['status']) => steps.filter((step) => step.status === status).length;
  return { passed: count('passed'), failed: count('failed'), skipped: count('skipped') };
}

export function writeReport(file: string, report: ConformanceReport): void {
  const text = JSON.stringify(report, null, 2);
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) throw new Error('refusing to write a report that contains private key material');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${text}\n`);
}

/** The report of one catalogue run, from its step results and what the target says of itself. */
export function reportOf(
  target: { name: string; istioVersion?: string; tools: Record<string, string> },
  results: { run: Record<string, unknown>; steps: StepResult[] },
  startedAt: Date,
): ConformanceReport {
  return {
    target: target.name,
    profile: (results.run.profile as string | undefined) ?? null,
    ...(typeof results.run.profileReason === 'string' ? { profileReason: results.run.profileReason } : {}),
    ...(typeof results.run.networkingVersion === 'string' ? { networkingVersion: results.run.networkingVersion } : {}),
    istioVersion: target.istioVersion ?? null,
    kubernetesVersion: (results.run.kubernetesVersion as string | undefined) ?? null,
    tools: target.tools,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    steps: results.steps,
  };
}
