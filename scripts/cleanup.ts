// `npm run cleanup [-- --dry-run]`: removes what an interrupted run left on a cluster (the
// kubeconfig context KUBE_CONTEXT, whose cluster must carry the consent marker, as for
// TARGET=existing): puts back what it replaced, deletes what carries the suite's label, and leaves
// everything else alone. It takes the run lock first, so it never removes a running run's objects.
import { Command } from 'commander';
import { runMain } from '../helpers/cli';
import { loadSettings } from '../helpers/config';
import type { KubeClient } from '../helpers/kube';
import { ISTIO_DEFAULTS } from '../helpers/istio/conventions';
import { cleanLeftovers, describeLock } from '../flows/cleanup';
import { findGateway } from '../helpers/istio/gateway';
import { openExistingContext, takeRunLock } from '../targets/existing/index';

// The gateway's namespace holds the catalogues' secrets: GATEWAY_NAMESPACE, else the detected gateway's, else Istio's default.
async function gatewayNamespace(kube: KubeClient, wanted: { namespace?: string; service?: string }): Promise<string> {
  if (wanted.namespace) return wanted.namespace;
  return findGateway(kube, wanted).then(
    ({ facts }) => facts.namespace,
    () => ISTIO_DEFAULTS.namespace,
  );
}

runMain(async () => {
  const flags = new Command('cleanup')
    .description("Remove what an interrupted conformance run left on the cluster: restore what it replaced, delete what carries the suite's label, nothing else.")
    .option('--dry-run', 'list what would be done, change nothing')
    .exitOverride()
    .parse(process.argv.slice(2), { from: 'user' })
    .opts<{ dryRun?: boolean }>();
  const settings = loadSettings();
  const log = (line: string) => console.log(`cleanup: ${line}`);
  const opened = await openExistingContext(settings);
  const { kube } = opened;
  log(`context "${opened.context}" at ${kube.server}: ${opened.allowedBecause}`);
  const namespace = await gatewayNamespace(kube, { namespace: settings.GATEWAY_NAMESPACE, service: settings.GATEWAY_SERVICE });
  if (flags.dryRun) log(await describeLock(kube));
  const lock = flags.dryRun ? undefined : await takeRunLock(kube, settings.LOCK_WAIT_MS, log);
  try {
    const outcome = await cleanLeftovers(kube, { cacheDir: settings.CACHE_DIR, gatewayNamespace: namespace, dryRun: flags.dryRun });
    for (const line of outcome.lines) log(line);
    const verb = flags.dryRun ? 'would be ' : '';
    log(
      outcome.deleted + outcome.restored === 0
        ? `nothing the suite left${outcome.left ? `; ${outcome.left} object(s) under the suite's names are someone else's and ${flags.dryRun ? 'would be ' : 'were '}left alone` : ''}`
        : `${outcome.deleted} ${verb}deleted, ${outcome.restored} ${verb}restored, ${outcome.left} left alone`,
    );
  } finally {
    await lock?.release();
  }
});
