// What npm test knows of its twin before starting it (light: no twin or Kubernetes client code),
// so that jest can start beside the twin: where the twin keeps its state and admin kubeconfig, and
// the settings its suites get.
import path from 'node:path';
import type { Settings } from '../../helpers/config';

/** kind and the twin install the doc's gateway themselves: the existing target's settings, if the
 * caller's environment has them, must not point the suites elsewhere (empty means unset). */
export const DOC_GATEWAY_ENV = { KUBE_CONTEXT: '', GATEWAY_NAMESPACE: '', GATEWAY_SERVICE: '' };

/** The settings the suites get on the twin. */
export const TWIN_SUITE_ENV: Record<string, string> = DOC_GATEWAY_ENV;

/** Where npm test's twin keeps its state, and so its admin kubeconfig (written at each start, same path). */
export function conformanceTwinPaths(settings: Pick<Settings, 'CACHE_DIR'>): { stateDir: string; kubeconfig: string } {
  const stateDir = path.resolve(settings.CACHE_DIR, 'twin', 'state', 'conformance');
  return { stateDir, kubeconfig: path.join(stateDir, 'kubeconfig') };
}
