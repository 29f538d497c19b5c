// Which catalogue steps a run is asked for (--only, ONLY_STEPS), checked before any target work:
// a step ID the catalogue does not have is a mistake, not a run that quietly skips everything.
import { UsageError } from '../helpers/config';
import { documentedStepIds, type CatalogueEntry } from '../suites/runtime/catalogue-entry';

/**
 * The comma-separated IDs of `text` (from `source`, e.g. "--only"), each one the catalogue has;
 * undefined when nothing is selected. A malformed list or an unknown ID is a UsageError listing the known ones.
 */
export function checkedStepSelection(text: string | string[] | undefined, source: string, catalogue: CatalogueEntry, known: readonly string[] = documentedStepIds(catalogue)): string | undefined {
  if (text === undefined) return undefined;
  const ids = (Array.isArray(text) ? text : text.split(',')).map((id) => id.trim());
  const listing = `the catalogue's steps are ${known.join(', ')}`;
  if (ids.length === 0 || ids.some((id) => id === '')) throw new UsageError(`${source} ${JSON.stringify(String(text))} is not accepted: give comma-separated step IDs, e.g. ${known.slice(0, 2).join(',')}; ${listing}`);
  const unknown = ids.filter((id) => !known.includes(id));
  if (unknown.length > 0) throw new UsageError(`${source}: unknown step ${unknown.join(', ')}; ${listing}`);
  return ids.join(',');
}
