// `npm run preflight`: the twin's host check on its own (npm test, npm run twin and rehearse run
// it first anyway): installs missing Debian packages when root with apt-get (INSTALL_PACKAGES=never
// stops instead), or stops with one line naming what is missing and the command that fixes it.
import { Command } from 'commander';
import { runMain } from '../helpers/cli';
import { loadSettings } from '../helpers/config';
import { checkTwinHost, hostFiles, hostTools } from '../twin/preflight';

runMain(async () => {
  new Command('preflight')
    .description("Check (and, as root with apt-get, complete) what the twin needs from this host, before anything is built.")
    .exitOverride()
    .parse(process.argv.slice(2), { from: 'user' });
  const started = Date.now();
  const facts = await checkTwinHost(loadSettings(), (line) => console.error(line));
  const checked = [...hostTools.map((tool) => tool.name), ...hostFiles.map((file) => file.debianPackage)].join(', ');
  console.log(`preflight: ready for the twin (root, network namespaces, ${checked}${facts.goVersion ? `, ${facts.goVersion}` : ''}) in ${Date.now() - started} ms`);
  return 0;
});
