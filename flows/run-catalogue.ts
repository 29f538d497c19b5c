// Runs the catalogue (jest's `conformance` project) against a prepared target and reads back its
// step results. jest runs as a child process spawned asynchronously: the twin's pod runner (volume
// sync, exec, port-forward) lives in this process's event loop and must keep turning meanwhile.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CatalogueResults } from '../helpers/report/model';
import { catalogueReportDir, stepResultsFile } from '../helpers/report';
import { diagnosticsRoot } from '../helpers/diagnostics/paths';
import type { CatalogueEntry } from '../suites/runtime/catalogue-entry';

export interface CatalogueRunOptions {
  /** Which catalogue (the registry's entry); its files go in reports/<id>/. */
  catalogue: CatalogueEntry;
  kubeconfig: string;
  /** host:port of the gateway when the target knows it better than the Service does. */
  ingressAddress?: string;
  reportDir: string;
  only?: string;
  stopAtFirstFailure?: boolean;
  /** More settings for the suites (WAIT_BUDGET_MS, TLS_MAX, …). */
  env?: NodeJS.ProcessEnv;
  /** Where jest's output goes; inherited by default. */
  quiet?: boolean;
  /**
   * Start jest now, but let the suites prepare their context only after goAhead(): jest's start
   * and the catalogue's module loading (seconds) then overlap the target's start.
   */
  waitForGoAhead?: boolean;
}

/** A catalogue run started ahead of its target (startCatalogue with waitForGoAhead). */
export interface StartedCatalogue {
  /** The target is ready: the suites may prepare their context. */
  goAhead(): void;
  /** The target could not be made: stops jest and waits for its end (its run has no results). */
  abort(): Promise<void>;
  finished: Promise<CatalogueRun>;
}

export interface CatalogueRun {
  results?: CatalogueResults;
  /** jest's own output when `quiet` (for a failure message). */
  output: string;
}

const jestLauncher = path.resolve(__dirname, '../scripts/jest.mjs');

export async function runCatalogue(options: CatalogueRunOptions): Promise<CatalogueRun> {
  return startCatalogue({ ...options, waitForGoAhead: false }).finished;
}

export function startCatalogue(options: CatalogueRunOptions): StartedCatalogue {
  const catalogueDir = catalogueReportDir(options.reportDir, options.catalogue.id);
  const resultsFile = stepResultsFile(options.reportDir, options.catalogue.id);
  rmSync(resultsFile, { force: true });
  const goAheadFile = path.resolve(options.reportDir, '.target-ready');
  rmSync(goAheadFile, { force: true });
  // The suite writes its steps.json and a failed step's diagnostics bundle in its folder
  // (reports/<id>/): a previous run's bundles would read as this run's.
  rmSync(diagnosticsRoot(catalogueDir), { recursive: true, force: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    KUBECONFIG: options.kubeconfig,
    REPORT_DIR: path.resolve(options.reportDir),
    ...(options.ingressAddress && !process.env.INGRESS_ADDRESS ? { INGRESS_ADDRESS: options.ingressAddress } : {}),
    ...(options.only ? { ONLY_STEPS: options.only } : {}),
    ...(options.stopAtFirstFailure ? { STOP_AT_FIRST_FAILURE: '1' } : {}),
    JEST_JUNIT_OUTPUT_DIR: catalogueDir,
    JEST_JUNIT_OUTPUT_NAME: 'conformance.xml',
    ...(options.waitForGoAhead ? { TARGET_READY_FILE: goAheadFile } : {}),
  };
  const child = spawn(process.execPath, [jestLauncher, 'conformance', '--reporters=default', '--reporters=jest-junit', '--verbose', '--runTestsByPath', options.catalogue.suiteFile], {
    stdio: options.quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    env,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // Ctrl-C reaches jest too (same process group); its cleanup steps run, so this process waits
  // for it to end before giving the target back instead of dying first.
  // A SIGTERM sent to this process alone is passed on.
  const ignoreInterrupt = () => undefined;
  const forwardTerm = () => child.kill('SIGTERM');
  process.on('SIGINT', ignoreInterrupt);
  process.on('SIGTERM', forwardTerm);
  const finished = (async (): Promise<CatalogueRun> => {
    try {
      await new Promise<void>((resolve, reject) => {
        child.on('error', reject);
        child.on('close', () => resolve());
      });
    } finally {
      process.off('SIGINT', ignoreInterrupt);
      process.off('SIGTERM', forwardTerm);
      rmSync(goAheadFile, { force: true });
    }
    const results = existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as CatalogueResults) : undefined;
    return { results, output };
  })();
  return {
    goAhead: () => {
      mkdirSync(path.dirname(goAheadFile), { recursive: true });
      writeFileSync(goAheadFile, `${new Date().toISOString()}\n`);
    },
    abort: async () => {
      child.kill('SIGTERM');
      await finished.catch(() => undefined);
      // Its run is void: what it wrote is not this run's result.
      rmSync(resultsFile, { force: true });
    },
    finished,
  };
}
