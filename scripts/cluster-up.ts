// `npm run cluster:up [-- --dry-run]`: the kind target's cluster, made ready for the suites: a kind
// cluster (created, or reused by name), Istio installed by istioctl with the shared gateway overlay,
// httpbin deployed, everything waited for. It stays up (delete it with `npm run cluster:down`);
// `npm test` with TARGET=kind makes its own and deletes it afterwards unless KEEP_CLUSTER=true.
// --dry-run prints the exact commands and versions, in order, and needs neither Docker nor network.
import { Command } from 'commander';
import { runMain } from '../helpers/cli';
import { describeSettings, loadSettings } from '../helpers/config';
import { dryRun, startKindTarget } from '../targets/kind';

const settingNames = /^(ISTIO_VERSION|KIND_|TOOLS_BASE_URL|ISTIOCTL_SHA256|CACHE_DIR)/;

runMain(async () => {
  const program = new Command('cluster:up')
    .description('Create (or reuse) the kind cluster, install Istio and httpbin, and wait until they are ready.')
    .option('--dry-run', 'print the commands and versions it would run, in order, and exit')
    .addHelpText('after', `\nSettings: ${describeSettings().filter((line) => settingNames.test(line)).join(', ')}`)
    .exitOverride()
    .parse(process.argv.slice(2), { from: 'user' });
  const flags = program.opts<{ dryRun?: boolean }>();
  const settings = loadSettings();
  if (flags.dryRun) {
    const { lines, stops } = await dryRun(settings);
    for (const line of lines) console.log(line);
    // A predicted stop is the settings' fault (an unpinned version, a folder): the user's to fix.
    if (stops.length > 0) {
      console.error(`error: the real run would stop: ${stops[0]}${stops.length > 1 ? ` (and ${stops.length - 1} more STOP line(s) above)` : ''}`);
      return 2;
    }
    return 0;
  }
  const log = (line: string) => console.error(line);
  const cluster = await startKindTarget(settings, { log, keep: true });
  console.log(`export KUBECONFIG=${cluster.kubeconfig}`);
  console.log(`export INGRESS_ADDRESS=${cluster.ingressAddress}`);
  log(`delete it with: npm run cluster:down`);
  return 0;
});
