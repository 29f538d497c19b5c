// A failed step's diagnostics bundle: every part collected side by side, each within its budget,
// each file written only if the key-material scan finds nothing in it, and index.json listing
// what each file holds and why any part is missing. Writing a bundle never throws for what the
// cluster does; it returns the index.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { oneLine } from '../kube/errors';
import { withinBudget, type Budgeted } from './budget';
import { withRequestTimeout } from './client';
import { collectConfigDump } from './config-dump';
import { collectEvents } from './events';
import { keyScanner, type KeyScanner, type RunKey } from './key-scan';
import { collectLogTail, TAIL_LINES } from './logs-tail';
import { observationContent } from './observation';
import { INDEX_FILE } from './paths';
import { findGatewayPod, findIstiodPod, once } from './pods';
import { collectProxyStatus } from './proxy-status';
import { scrubStrings, scrubText } from './scrub';
import { collectSecretsMetadata } from './secrets-metadata';
import { collectStepObjects } from './step-objects';
import type { BundleIndex, Budgets, DiagnosticPart, DiagnosticsTarget, PartContent, PartEntry, StepOutcome } from './types';
import { KeyMaterialFound, writeScanned } from './write';

/** A few seconds a part, parts side by side: a bundle costs a failed step at most the bundle budget. */
export const DEFAULT_BUDGETS: Budgets = { partMs: 5_000, bundleMs: 15_000 };

export interface BundleRequest {
  catalogue: string;
  /** The step's folder; a previous bundle there is replaced. */
  folder: string;
  step: StepOutcome;
  /** The probe's structured observation, when the step had one. */
  observation?: unknown;
  target: DiagnosticsTarget;
  /** The run's private keys: only to scan for; never written. */
  keys: RunKey[];
  budgets?: Partial<Budgets>;
}

const WITHHELD = 'withheld: the text matched the key-material scan';

/** An error as one line that is safe to write. */
export function safeReason(error: unknown, scanner: KeyScanner): string {
  const text = scrubText(oneLine(error instanceof Error ? error.message : String(error))).slice(0, 400);
  return scanner.findings(text).length > 0 ? WITHHELD : text;
}

function partsOf(request: BundleRequest, scanner: KeyScanner, partMs: number): DiagnosticPart[] {
  const { target } = request;
  const kube = withRequestTimeout(target.kube, partMs);
  const gatewayPod = once(() => findGatewayPod(kube, target.gateway));
  const istiodPod = once(() => findIstiodPod(kube, target.istiodNamespace));
  const container = target.gateway.container;
  return [
    {
      name: 'config-dump',
      file: 'config-dump.json',
      holds: "the gateway's Envoy admin /config_dump, secrets redacted (certificates as subject, issuer, serial and SHA-256 fingerprint)",
      collect: async (budgetMs) => collectConfigDump(kube, await gatewayPod(), container, budgetMs),
    },
    {
      name: 'proxy-status',
      file: 'proxy-status.json',
      holds: "istiod's /debug/syncz (what istioctl proxy-status shows): each proxy's xDS sync, the gateway's line first",
      collect: async (budgetMs) => collectProxyStatus(kube, await istiodPod(), await gatewayPod().catch(() => undefined), budgetMs),
    },
    {
      name: 'gateway-log',
      file: 'gateway.log',
      holds: `the last ${TAIL_LINES} lines of the gateway pod's ${container} log`,
      collect: async () => collectLogTail(kube, await gatewayPod(), container, scanner),
    },
    {
      name: 'istiod-log',
      file: 'istiod.log',
      holds: `the last ${TAIL_LINES} lines of istiod's log`,
      collect: async () => collectLogTail(kube, await istiodPod(), undefined, scanner),
    },
    {
      name: 'events',
      file: 'events.json',
      holds: `the events of ${target.namespaces.join(', ')}, oldest first`,
      collect: () => collectEvents(kube, target.namespaces),
    },
    {
      name: 'secrets',
      file: 'secrets.json',
      holds: `the metadata of ${target.secrets.map((s) => `${s.namespace}/${s.name}`).join(', ') || 'no Secret'}: type, each key's size, labels, annotations that cannot hold a secret; never their data`,
      collect: () => collectSecretsMetadata(kube, target.secrets),
    },
    {
      name: 'objects',
      file: 'objects.json',
      holds: 'the objects the step depends on, as the API server has them now',
      collect: () => collectStepObjects(kube, target.objects),
    },
    {
      name: 'observation',
      file: 'observation.json',
      holds: "the step's result (expected, observed) and the probe's last structured observation",
      collect: async () => observationContent(request.step, request.observation),
    },
  ];
}

function entryFor(part: DiagnosticPart, outcome: Budgeted<PartContent>, folder: string, scanner: KeyScanner): PartEntry {
  const base = { part: part.name, holds: part.holds, durationMs: outcome.durationMs };
  if (!outcome.ok) return { ...base, status: 'not-collected', reason: safeReason(outcome.error, scanner) };
  const content = outcome.value;
  const body = content.text ?? `${JSON.stringify(scrubStrings(content.data ?? null).value, null, 2)}\n`;
  const notes = (content.notes ?? []).map((note) => (scanner.findings(note).length > 0 ? WITHHELD : note));
  try {
    const bytes = writeScanned(path.join(folder, part.file), body, scanner);
    const partial = content.partial === undefined ? {} : { reason: safeReason(content.partial, scanner) };
    return { ...base, status: content.partial === undefined ? 'collected' : 'partial', file: part.file, bytes, ...partial, ...(notes.length ? { notes } : {}) };
  } catch (error) {
    const reason = error instanceof KeyMaterialFound ? error.message : `could not be written: ${safeReason(error, scanner)}`;
    return { ...base, status: 'not-collected', reason, ...(notes.length ? { notes } : {}) };
  }
}

/** Collects and writes the bundle of a failed step; returns its index (also written as index.json). */
export async function writeBundle(request: BundleRequest): Promise<BundleIndex> {
  const budgets: Budgets = { ...DEFAULT_BUDGETS, ...request.budgets };
  const partMs = Math.min(budgets.partMs, budgets.bundleMs);
  const started = Date.now();
  const scanner = keyScanner(request.keys);
  rmSync(request.folder, { recursive: true, force: true });
  mkdirSync(request.folder, { recursive: true });
  const parts = partsOf(request, scanner, partMs);
  // Side by side, each within its budget: the bundle takes about the slowest part.
  const outcomes = await Promise.all(parts.map((part) => withinBudget(partMs, () => part.collect(partMs))));
  const entries = parts.map((part, i) => entryFor(part, outcomes[i]!, request.folder, scanner));
  const index: BundleIndex = {
    catalogue: request.catalogue,
    step: request.step,
    collectedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    budgets: { partMs, bundleMs: budgets.bundleMs },
    parts: entries,
  };
  if (scanner.unreadable.length > 0) index.parts.push({ part: 'key-scan', status: 'partial', holds: 'the scan of every file for the run\'s own keys', durationMs: 0, reason: `keys that could not be read, so not scanned for: ${scanner.unreadable.length}` });
  const file = path.join(request.folder, INDEX_FILE);
  try {
    writeScanned(file, `${JSON.stringify(index, null, 2)}\n`, scanner);
  } catch {
    // The step's own words matched the scan: the index goes without them (undefined is left out of JSON).
    const step = { ...request.step, expected: undefined, observed: WITHHELD };
    writeScanned(file, `${JSON.stringify({ ...index, step }, null, 2)}\n`, scanner);
  }
  return index;
}
