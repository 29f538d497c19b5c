// A rehearsal: the catalogue run against the twin with named faults armed (or none), so that each
// conformance assertion is seen failing against a gateway broken in its way. One twin serves many
// rehearsals: faults are armed and disarmed between runs, and the httpbin sample that SG-X2 removes
// is put back before each.
import fs from 'node:fs';
import path from 'node:path';
import type { Settings } from '../helpers/config';
import { connect, type KubeClient } from '../helpers/kube';
import { deployHttpbin, startTwinTarget, type HttpbinSample, type TwinTarget } from '../targets/twin/index';
import { runCatalogue, type StartedCatalogue } from './run-catalogue';
import { REHEARSED_CATALOGUE, rehearsalCatalogueOptions, rehearsalStateDir, type RehearsedCatalogue } from './rehearse-options';

export { rehearsalCatalogueOptions, rehearsalStateDir };
import type { CatalogueResults, StepResult } from '../helpers/report/model';
import { faultsFile, writeActiveFaults, NO_FAULTS } from '../twin/faults/active';
import type { FaultName } from '../twin/faults/names';
import { FaultController } from '../twin/faults/controller';
import { podsDirOf } from '../twin/pods';
import { hookPaths } from '../twin/pods/hook';

export interface RehearsalTwin {
  target: TwinTarget;
  kube: KubeClient;
  controller: FaultController;
  stateDir: string;
  release(): Promise<void>;
}



export async function startRehearsalTwin(settings: Settings, log: (line: string) => void, stateDir = rehearsalStateDir(settings)): Promise<RehearsalTwin> {
  const file = faultsFile(stateDir);
  writeActiveFaults(file, NO_FAULTS); // a previous run's faults never leak into this start
  const target = await startTwinTarget(settings, log, { stateDir, faultsFile: file });
  try {
    const kube = await connect({ kubeconfigPath: target.kubeconfig });
    const controller = new FaultController({
      kube,
      netns: target.twin.node.netns,
      nodeAddress: target.twin.node.address,
      hostAddress: target.twin.node.hostAddress,
      faultsFile: file,
      podLogsDir: path.join(stateDir, 'pod-logs'),
      execIndexDir: hookPaths(podsDirOf(stateDir)).index,
      log,
    });
    return {
      target,
      kube,
      controller,
      stateDir,
      release: async () => {
        await controller.disarm().catch(() => undefined);
        await target.release();
      },
    };
  } catch (error) {
    await target.release();
    throw error;
  }
}

export interface RehearsalOptions {
  /** The catalogue and its faults' objects; the first catalogue when unset. */
  catalogue?: RehearsedCatalogue;
  faults: FaultName[];
  propagationDelayMs?: number;
  tlsMax?: '1.2' | '1.3';
  /** Which httpbin sample to deploy: Istio's current one, or the old one with the ASCII teapot. */
  httpbin?: HttpbinSample;
  only?: string;
  stopAtFirstFailure?: boolean;
  /** The suites' wait budget (WAIT_BUDGET_MS); the twin's default when unset. */
  waitBudgetMs?: number;
  reportDir: string;
  /** A folder of the caller's for the doc's certificates (CERT_DIR), kept afterwards; default a fresh one, removed. */
  certDir?: string;
  /** Keep jest's output to return it instead of printing it. */
  quiet?: boolean;
  host: string;
  /**
   * jest, started beside the twin with this rehearsal's settings (rehearsalCatalogueOptions) and
   * waiting for the go-ahead: it is given once httpbin is back and the faults are armed.
   */
  started?: StartedCatalogue;
}


export interface RehearsalResult {
  results?: CatalogueResults;
  /** The first failed step in catalogue order. */
  firstFailed?: StepResult;
  output: string;
  /** Phase durations in ms. */
  phases: Record<string, number>;
}

export async function rehearse(twin: RehearsalTwin, options: RehearsalOptions): Promise<RehearsalResult> {
  const phases: Record<string, number> = {};
  const timed = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      return await work();
    } finally {
      phases[phase] = Date.now() - started;
    }
  };
  const certDir = options.certDir ?? fs.mkdtempSync(path.join(twin.stateDir, 'rehearsal-certs-'));
  try {
    await timed('httpbin', () => deployHttpbin(twin.kube, options.httpbin));
    await timed('arm faults', () => twin.controller.arm({ faults: options.faults, objects: (options.catalogue ?? REHEARSED_CATALOGUE).objects, propagationDelayMs: options.propagationDelayMs ?? 0, host: options.host, certDir }));
    const run = await timed('catalogue', () => {
      if (!options.started) return runCatalogue(rehearsalCatalogueOptions(twin.target.kubeconfig, certDir, options));
      options.started.goAhead();
      return options.started.finished;
    });
    const firstFailed = run.results?.steps.find((step) => step.status === 'failed');
    return { results: run.results, firstFailed, output: run.output, phases };
  } finally {
    await timed('disarm faults', () => twin.controller.disarm());
    if (!options.certDir) fs.rmSync(certDir, { recursive: true, force: true });
  }
}
