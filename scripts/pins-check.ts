// `npm run pins:check [-- --releases-url URL]`: says whether Istio has released a newer patch of a
// pinned minor, or a newer minor, than targets/kind/tools.json pins. Exit 0 current, 1 behind,
// 3 could not check (no network): the nightly workflow reports each plainly.
import { Command } from 'commander';
import { runMain } from '../helpers/cli';
import { checkPins, DEFAULT_RELEASES_URL, PINS_EXIT } from '../targets/kind/pins-check';

runMain(async () => {
  const program = new Command('pins:check')
    .description('Compare the pinned Istio releases (targets/kind/tools.json) with the published ones.')
    .option('--releases-url <url>', "Istio's releases, as GitHub's releases API answers", DEFAULT_RELEASES_URL)
    .exitOverride()
    .parse(process.argv.slice(2), { from: 'user' });
  const flags = program.opts<{ releasesUrl: string }>();
  const report = await checkPins(flags.releasesUrl);
  for (const line of report.lines) console.log(line);
  return PINS_EXIT[report.state];
});
