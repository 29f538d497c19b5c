// What a rehearsal is before its twin starts (light: no twin or Kubernetes client code), so that
// `npm run rehearse` can start jest beside the twin: where the twin keeps its state, and how the
// catalogue runs.
import path from 'node:path';
import type { Settings } from '../helpers/config';
import type { CatalogueRunOptions } from './run-catalogue';
import { secureGateways } from '../suites/secure-gateways/entry';
import { faultObjects, FAULTS } from '../suites/secure-gateways/faults';

export interface RehearsalRunSettings {
  reportDir: string;
  only?: string;
  stopAtFirstFailure?: boolean;
  quiet?: boolean;
  tlsMax?: '1.2' | '1.3';
  waitBudgetMs?: number;
}

/** Where `npm run rehearse` keeps its twin (and so its kubeconfig, written at each start). */
export function rehearsalStateDir(settings: Pick<Settings, 'CACHE_DIR'>): string {
  return path.resolve(settings.CACHE_DIR, 'twin', 'state', 'rehearsal');
}

/** The catalogue the rehearsals run, with its faults table (suites/secure-gateways/faults.ts). */
export const REHEARSED_CATALOGUE = secureGateways;
export const REHEARSED_FAULTS = FAULTS;
/** The objects its faults act on: the twin's gateway mounts files, so the file-mount profile's. */
export const REHEARSED_FAULT_OBJECTS = faultObjects('file-mount');

/** How a rehearsal runs the catalogue: the same for jest started early and for one started now. */
export function rehearsalCatalogueOptions(kubeconfig: string, certDir: string, options: RehearsalRunSettings): CatalogueRunOptions {
  return {
    catalogue: REHEARSED_CATALOGUE,
    kubeconfig,
    reportDir: options.reportDir,
    only: options.only,
    stopAtFirstFailure: options.stopAtFirstFailure,
    quiet: options.quiet,
    env: {
      CERT_DIR: certDir,
      ...(options.tlsMax ? { TLS_MAX: options.tlsMax } : {}),
      ...(options.waitBudgetMs ? { WAIT_BUDGET_MS: String(options.waitBudgetMs) } : {}),
    },
  };
}
