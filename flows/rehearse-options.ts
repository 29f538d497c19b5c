// What a rehearsal is before its twin starts (light: no twin or Kubernetes client code), so that
// `npm run rehearse` can start jest beside the twin: where the twin keeps its state, and how the
// catalogue runs.
import path from 'node:path';
import type { Settings } from '../helpers/config';
import type { CatalogueRunOptions } from './run-catalogue';
import { secureGateways } from '../suites/secure-gateways/entry';
import { faultObjects, FAULTS } from '../suites/secure-gateways/faults';
import { secureGatewaysSds } from '../suites/secure-gateways-sds/entry';
import { SDS_FAULTS, sdsFaultObjects } from '../suites/secure-gateways-sds/faults';
import type { CatalogueEntry } from '../suites/runtime/catalogue-entry';
import type { FaultBoundary, FaultName } from '../twin/faults/names';
import type { FaultObjects } from '../twin/faults/active';

/** A catalogue as a rehearsal runs it: its entry, its faults table, the objects its faults act on. */
export interface RehearsedCatalogue {
  entry: CatalogueEntry;
  faults: ReadonlyArray<{ name: FaultName; breaks: string; boundary: FaultBoundary; acts: string; why: string }>;
  objects: FaultObjects;
}

export interface RehearsalRunSettings {
  /** The catalogue rehearsed; the first catalogue (Secure Gateways, file-mount) when unset. */
  catalogue?: RehearsedCatalogue;
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

/** The catalogues the rehearsals run, each with its faults table (suites/<id>/faults.ts). */
export const REHEARSED_CATALOGUES: readonly RehearsedCatalogue[] = [
  // The twin's gateway mounts files, so the file-mount profile's objects.
  { entry: secureGateways, faults: FAULTS, objects: faultObjects('file-mount') },
  { entry: secureGatewaysSds, faults: SDS_FAULTS, objects: sdsFaultObjects() },
];
export const REHEARSED_CATALOGUE = REHEARSED_CATALOGUES[0]!;

/** How a rehearsal runs the catalogue: the same for jest started early and for one started now. */
export function rehearsalCatalogueOptions(kubeconfig: string, certDir: string, options: RehearsalRunSettings): CatalogueRunOptions {
  return {
    catalogue: (options.catalogue ?? REHEARSED_CATALOGUE).entry,
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
