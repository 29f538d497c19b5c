// `npm test`: the conformance run. Chooses the target (and says which and why in its first line),
// prepares it, runs the catalogue as jest's `conformance` project, writes reports/conformance.json
// (and JUnit XML beside it), gives the target back, and exits 0 only if no step failed.
import path from 'node:path';
import { Command } from 'commander';
import { runMain } from '../helpers/cli';
import { chooseTarget } from '../helpers/cluster';
import { loadSettings } from '../helpers/config';
import { reportOf, summarize, writeReport } from '../helpers/report';
import { prepareTarget } from '../helpers/targets';
import { runCatalogue } from '../helpers/targets/run-catalogue';
import { checkTwinHost } from '../twin/preflight';
import { checkedStepSelection } from '../helpers/targets/step-selection';
import type { CatalogueResults } from '../suites/runtime/define';

runMain(async () => {
  const flags = new Command('npm test')
    .description('Run the Secure Gateways conformance catalogue against a target (TARGET: auto, kind, existing, twin).')
    .option('--keep', 'keep a cluster the run created')
    .option('--only <ids>', 'run only these step IDs (comma-separated); cleanup always runs')
    .option('--stop-at-first-failure', 'skip the steps after the first failure (cleanup still runs)')
    .exitOverride()
    .parse(process.argv.slice(2), { from: 'user' })
    .opts<{ keep?: boolean; only?: string; stopAtFirstFailure?: boolean }>();
  // Every flag and setting is checked before the target is chosen or prepared.
  const settings = loadSettings();
  const only = checkedStepSelection(flags.only, '--only') ?? checkedStepSelection(settings.ONLY_STEPS, 'setting ONLY_STEPS');
  const decision = await chooseTarget(settings);
  console.log(decision.line);
  // Before anything slow: what the host lacks is installed or named in one line.
  if (decision.target === 'twin') await checkTwinHost(settings, (line) => console.error(line));
  const startedAt = new Date();
  const target = await prepareTarget(decision, settings, (line) => console.error(line), flags.keep ?? false);
  const reportFile = path.resolve(settings.REPORT_DIR, 'conformance.json');
  let results: CatalogueResults | undefined;
  try {
    ({ results } = await runCatalogue({
      kubeconfig: target.kubeconfig,
      ingressAddress: target.ingressAddress,
      reportDir: settings.REPORT_DIR,
      only,
      stopAtFirstFailure: flags.stopAtFirstFailure,
      env: target.suiteEnv,
    }));
  } finally {
    await target.release();
  }
  if (!results) {
    console.error('error: the conformance suites ended without results (see the output above)');
    return 1;
  }
  writeReport(reportFile, reportOf(target, results, startedAt));
  const counts = summarize(results.steps);
  console.log(`conformance: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped (report: ${path.relative(process.cwd(), reportFile)})`);
  if (counts.passed + counts.failed === 0) {
    console.error('error: no step ran (every step was skipped): a run that checked nothing does not pass; see the reasons in the report');
    return 1;
  }
  return counts.failed === 0 ? 0 : 1;
});
