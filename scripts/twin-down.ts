// `npm run twin:down [-- --state-dir DIR]`: stops the twin of a state folder and sweeps whatever a
// killed run left there: it asks a running twin to stop, then kills the processes it recorded and
// any still inside its network namespaces, and removes the namespaces and the host's veth ends.
import { Command } from 'commander';
import { runMain } from '../helpers/cli';
import { fromUserFolder, loadSettings } from '../helpers/config';
import { requireRoot, requireTools, nodeTools } from '../twin/node/prerequisites';
import { sweep } from '../twin/process/sweep';
import { defaultStateDir } from '../twin/paths';

runMain(async () => {
  const settings = loadSettings();
  const program = new Command('twin:down')
    .description("Stop the twin of a state folder and remove what it left (processes, network namespaces, veth pairs).")
    .option('--state-dir <dir>', 'the twin\'s state folder', defaultStateDir(settings))
    .exitOverride()
    .parse(process.argv.slice(2), { from: 'user' });
  const stateDir = fromUserFolder(program.opts<{ stateDir: string }>().stateDir);
  requireRoot('twin:down');
  const { ip } = requireTools(nodeTools.filter((t) => t.name === 'ip'));
  const result = await sweep(stateDir, { ip, log: (line) => console.log(`twin:down: ${line}`) });
  console.log(
    result.swept.length > 0
      ? `twin:down: removed ${result.swept.join(', ')} (state ${stateDir})`
      : `twin:down: nothing to remove for ${stateDir}`,
  );
});
