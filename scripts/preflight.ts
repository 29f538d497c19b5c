// `npm run preflight`: the twin's host check on its own (npm test, npm run twin and rehearse run
// it first anyway): installs missing Debian packages when root with apt-get (INSTALL_PACKAGES=never
// stops instead), or stops with one line naming what is missing and the command that fixes it.
// `--for selftest` (what .ci/run uses) also checks the self-tests' browser (Debian's chromium).
import { Command, Option } from 'commander';
import { runMain } from '../helpers/cli';
import { loadSettings } from '../helpers/config';
import { checkTwinHost, hostFiles, toolsFor, type PreflightPurpose } from '../twin/preflight';

runMain(async () => {
  const flags = new Command('preflight')
    .description("Check (and, as root with apt-get, complete) what the twin needs from this host, before anything is built.")
    .addOption(new Option('--for <purpose>', 'twin: what the twin needs; selftest: that and the browser the self-tests drive').choices(['twin', 'selftest']).default('twin'))
    .exitOverride()
    .parse(process.argv.slice(2), { from: 'user' })
    .opts<{ for: PreflightPurpose }>();
  const started = Date.now();
  const facts = await checkTwinHost(loadSettings(), (line) => console.error(line), flags.for);
  const checked = [...toolsFor(flags.for).map((tool) => tool.name), ...hostFiles.map((file) => file.debianPackage)].join(', ');
  console.log(`preflight: ready for ${flags.for === 'selftest' ? 'the twin and the self-tests' : 'the twin'} (root, network namespaces, ${checked}${facts.goVersion ? `, ${facts.goVersion}` : ''}) in ${Date.now() - started} ms`);
  return 0;
});
