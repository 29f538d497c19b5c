// The catalogues this suite runs, by ID. A catalogue is a package, suites/<id>/, that owns its
// STEPS.md, manifests, step code and diagnostics; its entry.ts names it here without loading it.
import { UsageError } from '../helpers/config';
import type { CatalogueEntry } from './runtime/catalogue-entry';
import { secureGateways } from './secure-gateways/entry';
import { secureGatewaysSds } from './secure-gateways-sds/entry';

export const CATALOGUES: readonly CatalogueEntry[] = [secureGateways, secureGatewaysSds];

/** The catalogue a flag or setting names; a UsageError listing the known ones otherwise. */
export function catalogueById(id: string, source = '--catalogue'): CatalogueEntry {
  const found = CATALOGUES.find((entry) => entry.id === id.trim());
  if (!found) throw new UsageError(`${source}: unknown catalogue ${JSON.stringify(id)}; the catalogues are ${CATALOGUES.map((entry) => entry.id).join(', ')}`);
  return found;
}
