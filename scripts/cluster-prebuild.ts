// `npm run cluster:prebuild`: builds the Go tools the kind target's self-tests use (the real kind
// and actionlint, pinned in targets/kind/tools.json) into CACHE_DIR/tools/go, so that
// `npm run selftest` finds them cached. CI runs it before the self-tests; a cached build is a no-op.
import { Command } from 'commander';
import { runMain } from '../helpers/cli';
import { loadSettings } from '../helpers/config';
import { ensureGoTool, goTools } from '../targets/kind/go-tools';

runMain(async () => {
  new Command('cluster:prebuild')
    .description('Build kind and actionlint from their Go modules into CACHE_DIR/tools/go (once per version).')
    .exitOverride()
    .parse(process.argv.slice(2), { from: 'user' });
  const settings = loadSettings();
  const log = (line: string) => console.error(line);
  for (const tool of Object.values(goTools)) {
    const binary = await ensureGoTool(settings.CACHE_DIR, tool, log);
    console.log(`${tool.name} ${tool.version}: ${binary}`);
  }
  return 0;
});
