// `npm run cluster:down [-- --dry-run]`: deletes the kind cluster that cluster:up (or a kept
// `npm test` run) made, by name (KIND_CLUSTER_NAME), and its kubeconfig. Nothing else is touched.
import { Command } from 'commander';
import { runMain } from '../helpers/cli';
import { loadSettings } from '../helpers/config';
import { stopKindCluster } from '../targets/kind';

runMain(async () => {
  const program = new Command('cluster:down')
    .description('Delete the kind cluster of the kind target (KIND_CLUSTER_NAME) and its kubeconfig.')
    .option('--dry-run', 'print the command it would run and exit')
    .exitOverride()
    .parse(process.argv.slice(2), { from: 'user' });
  const flags = program.opts<{ dryRun?: boolean }>();
  const settings = loadSettings();
  const log = (line: string) => console.error(line);
  const command = await stopKindCluster(settings, { log, dryRun: flags.dryRun ?? false });
  if (flags.dryRun) console.log(command);
  return 0;
});
