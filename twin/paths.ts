// Where a twin keeps its state unless told otherwise: CACHE_DIR/twin/state/default.
import path from 'node:path';
import type { Settings } from '../helpers/config';

export function defaultStateDir(settings: Pick<Settings, 'CACHE_DIR'>): string {
  return path.resolve(settings.CACHE_DIR, 'twin', 'state', 'default');
}
