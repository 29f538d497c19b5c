// The existing target writes Secrets into the gateway's namespace and a Gateway into `default`:
// it runs only on a context that looks like a test cluster, or on one the user names in
// ALLOW_CONTEXT. "Looks like" is decided from names and the API server's address alone (nothing is
// asked of the cluster), so a production context is refused before anything connects to it.
import { isIP } from 'node:net';
import { UsageError } from '../config';

export interface ContextFacts {
  /** The kubeconfig context's name. */
  context: string;
  /** The name of the cluster entry the context points at. */
  cluster: string;
  /** The API server's URL. */
  server: string;
}

// Local cluster tools name their contexts after themselves (kind-<name>, k3d-<name>, minikube, …);
// `twin` is this project's own rehearsal cluster.
const LOCAL_TOOLS = ['kind', 'k3d', 'k3s', 'minikube', 'docker-desktop', 'rancher-desktop', 'colima', 'orbstack', 'microk8s', 'twin'];
// Words that say a cluster is for testing, as a whole word of the name (`ci` in `gke_ci-cluster`,
// not in `mercian`).
const TEST_WORDS = ['test', 'testing', 'dev', 'ci', 'e2e', 'sandbox', 'local', 'scratch'];

// The words of a name, each also without trailing digits (`ci2`, `dev01`).
function words(name: string): string[] {
  return name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .flatMap((word) => [word, word.replace(/\d+$/, '')]);
}

function nameVerdict(kind: 'context' | 'cluster', name: string): string | undefined {
  const lower = name.toLowerCase();
  const tool = LOCAL_TOOLS.find((prefix) => lower === prefix || lower.startsWith(`${prefix}-`) || lower.startsWith(`${prefix}_`));
  if (tool) return `its ${kind} name "${name}" is that of a local ${tool === 'twin' ? 'twin (this project\'s rehearsal cluster)' : `${tool} cluster`}`;
  const word = words(name).find((w) => TEST_WORDS.includes(w));
  if (word) return `its ${kind} name "${name}" contains the word "${word}"`;
  return undefined;
}

function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./i.test(bare);
  return false;
}

/** Pure: why the context looks like a test cluster, or undefined when it does not. */
export function testClusterReason(facts: ContextFacts): string | undefined {
  const byName = nameVerdict('context', facts.context) ?? nameVerdict('cluster', facts.cluster);
  if (byName) return byName;
  let host: string;
  try {
    host = new URL(facts.server).hostname;
  } catch {
    return undefined;
  }
  return isLoopback(host) ? `its API server ${facts.server} is on this machine's loopback address` : undefined;
}

/**
 * Returns why the context may be used; throws a one-line UsageError when it does not look like a
 * test cluster and ALLOW_CONTEXT does not name it.
 */
export function checkTestCluster(facts: ContextFacts, allowContext: string | undefined): string {
  if (allowContext !== undefined && allowContext === facts.context) return `ALLOW_CONTEXT=${facts.context} names it`;
  const reason = testClusterReason(facts);
  if (reason) return `it looks like a test cluster: ${reason}`;
  const allowed = allowContext === undefined ? '' : ` (ALLOW_CONTEXT=${allowContext} names another context)`;
  throw new UsageError(
    `context "${facts.context}" (cluster "${facts.cluster}", API server ${facts.server}) does not look like a test cluster${allowed}: ` +
      `the suite writes Secrets and a Gateway there. If it is one, run with ALLOW_CONTEXT=${facts.context} (README: "Existing clusters")`,
  );
}
