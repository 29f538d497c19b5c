// Files the real Istio images ship that are not binaries (e.g. proxyv2's Envoy bootstrap template).
// `npm run twin:build` copies them from the pinned istio.io/istio module's source into the release's
// cache folder beside istioctl, pilot-discovery and pilot-agent (BuildUnit.sourceFiles), so a run
// reads them from there and does not need the Go module cache.
import { istioSourceFilePath, type PathOptions } from '../build';

/** Absolute path of a copied file of the Istio release's source (default: TWIN_ISTIO, else the versions file's default). */
export function istioSourceFile(relative: string, releaseName?: string, options: Omit<PathOptions, 'istio'> = {}): string {
  return istioSourceFilePath(relative, { ...options, ...(releaseName ? { istio: releaseName } : {}) });
}
