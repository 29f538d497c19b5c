// `npm run twin:build [-- --only NAME,...] [--istio NAME] [--list]`: builds the twin's pinned
// binaries from their Go modules into the cache (progress on stderr), or lists the pins and which
// are cached. A warm cache makes this a few stat checks.
import { Command } from 'commander';
import { runMain } from '../helpers/cli';
import { describeSettings } from '../helpers/config';
import { COMPONENTS, ensureBinaries, listUnits, selectBinaries, TWIN_BINARIES } from '../twin/build';
import { formatDuration } from '../twin/build/progress';

function parseFlags(argv: string[]) {
  return new Command('twin:build')
    .description("Build the twin's pinned binaries (twin/versions.json) into the cache, or list them.")
    .option('--only <names>', `comma-separated binaries or components: ${[...COMPONENTS].join(', ')}, or any of ${TWIN_BINARIES.join(', ')}`)
    .option('--istio <name>', 'the Istio release to build, by its name in twin/versions.json (default: TWIN_ISTIO, else the file\'s default)')
    .option('--list', 'print the pinned versions and which are cached, build nothing')
    .addHelpText('after', `\nSettings: ${describeSettings().filter((line) => /^(CACHE_DIR|TWIN_ISTIO)\b/.test(line)).join(', ')}`)
    .exitOverride()
    .parse(argv, { from: 'user' })
    .opts<{ only?: string; istio?: string; list?: boolean }>();
}

function printList(istio: string | undefined): void {
  const { cacheDir, units } = listUnits({ istio });
  const width = Math.max(...units.map((u) => u.label.length));
  console.log(`cache: ${cacheDir}`);
  for (const unit of units) {
    const built = unit.builtAt ? ` (built ${unit.builtAt.slice(0, 16).replace('T', ' ')}, ${formatDuration((unit.seconds ?? 0) * 1000)})` : '';
    console.log(`${unit.label.padEnd(width)}  ${unit.state.padEnd(7)}  ${unit.binaries.join(', ')}${built}`);
  }
}

runMain(async () => {
  const flags = parseFlags(process.argv.slice(2));
  if (flags.list) {
    printList(flags.istio);
    return;
  }
  const started = Date.now();
  const paths = await ensureBinaries(selectBinaries(flags.only?.split(','), { istio: flags.istio }), { istio: flags.istio });
  const folders = [...new Set(Object.values<string>(paths).map((p) => p.slice(0, p.lastIndexOf('/'))))];
  console.error(`twin:build: ${Object.keys(paths).length} binaries ready in ${folders.length} folders (${formatDuration(Date.now() - started)})`);
  for (const [name, file] of Object.entries(paths)) console.log(`${name}\t${file}`);
});
