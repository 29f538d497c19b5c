// `npm test`: the conformance run. Chooses the target (and says which and why in its first line),
// prepares it, runs the catalogue (--catalogue, from suites/registry.ts) as jest's `conformance`
// project (N times on the same target with --repeat N), writes its reports into
// reports/<catalogue>/ (conformance.json, report.html, JUnit XML, and repeat.json with the per-step
// pass rates and p50/p95 durations) and the summary across catalogues (reports/summary.json,
// reports/report.html), gives the target back, and exits 0 only if no step failed in any run.
import path from 'node:path';
import { Command } from 'commander';
import { runMain } from '../helpers/cli';
import { chooseTarget } from '../targets/kind';
import { loadSettings } from '../helpers/config';
import { reportOf, summarize, writeRunReports, type RepeatReport } from '../helpers/report';
import { repeatTable, summarizeRepeat } from '../helpers/report/repeat';
import { checkedRepeat, runRepeatedly, type RepeatOutcome } from '../flows/repeat-runs';
import { checkTwinHost } from '../twin/preflight';
import { unbuiltUnits } from '../twin/build';
import { conformanceTwinPaths, TWIN_SUITE_ENV } from '../targets/twin/paths';
import { checkedStepSelection } from '../flows/step-selection';
import { CATALOGUES, catalogueById } from '../suites/registry';

runMain(async () => {
  const flags = new Command('npm test')
    .description('Run a conformance catalogue against a target (TARGET: auto, kind, existing, twin).')
    .option('--catalogue <id>', `the catalogue to run: ${CATALOGUES.map((entry) => entry.id).join(', ')}`, CATALOGUES[0]!.id)
    .option('--keep', 'keep a cluster the run created')
    .option('--only <ids>', 'run only these step IDs (comma-separated); cleanup always runs')
    .option('--stop-at-first-failure', 'skip the steps after the first failure (cleanup still runs)')
    .option('--repeat <n>', 'run the catalogue N times (1 to 100) on one target: each step\'s pass rate and p50/p95 duration, flaky steps named')
    .exitOverride()
    .parse(process.argv.slice(2), { from: 'user' })
    .opts<{ catalogue: string; keep?: boolean; only?: string; stopAtFirstFailure?: boolean; repeat?: string }>();
  // Every flag and setting is checked before the target is chosen or prepared.
  const catalogue = catalogueById(flags.catalogue);
  const repeat = checkedRepeat(flags.repeat);
  const settings = loadSettings();
  const only = checkedStepSelection(flags.only, '--only', catalogue) ?? checkedStepSelection(settings.ONLY_STEPS, 'setting ONLY_STEPS', catalogue);
  const decision = await chooseTarget(settings);
  console.log(decision.line);
  // Before anything slow: what the host lacks is installed or named in one line.
  if (decision.target === 'twin') await checkTwinHost(settings, (line) => console.error(line));
  const startedAt = new Date();
  // The targets and the runner load the Kubernetes client (seconds of module loading): only once
  // the flags, the settings and the host have been checked, so a mistake is told at once.
  const { prepareTarget } = require('../targets') as typeof import('../targets');
  const { runCatalogue, startCatalogue } = require('../flows/run-catalogue') as typeof import('../flows/run-catalogue');
  const catalogueOptions = { catalogue, reportDir: settings.REPORT_DIR, only, stopAtFirstFailure: flags.stopAtFirstFailure };
  // A warm twin's kubeconfig and settings are known before it starts: jest and the catalogue load
  // meanwhile, and the suites begin when the twin is ready. Elsewhere jest starts after the target.
  const early = decision.target === 'twin' && unbuiltUnits().length === 0 ? startCatalogue({ ...catalogueOptions, kubeconfig: conformanceTwinPaths(settings).kubeconfig, env: TWIN_SUITE_ENV, waitForGoAhead: true }) : undefined;
  let target: Awaited<ReturnType<typeof prepareTarget>>;
  try {
    target = await prepareTarget(decision, settings, (line) => console.error(line), flags.keep ?? false);
  } catch (error) {
    await early?.abort();
    throw error;
  }
  let outcome: RepeatOutcome;
  let runsStarted = 0;
  try {
    outcome = await runRepeatedly({
      times: repeat ?? 1,
      runOnce: async () => {
        runsStarted += 1;
        if (runsStarted === 1 && early) {
          early.goAhead();
          return (await early.finished).results;
        }
        return (await runCatalogue({ ...catalogueOptions, kubeconfig: target.kubeconfig, ingressAddress: target.ingressAddress, env: target.suiteEnv })).results;
      },
      prepareNextRun: target.prepareNextRun?.bind(target),
      log: (line) => console.error(line),
    });
  } catch (error) {
    // A jest started early and never given the go-ahead must not outlive the run.
    if (early && runsStarted <= 1) {
      await early.abort();
    }
    throw error;
  } finally {
    await target.release();
  }
  const results = outcome.last;
  if (!results) {
    console.error('error: the conformance suites ended without results (see the output above)');
    return 1;
  }
  const report = reportOf(target, results, startedAt);
  const summary = repeat === undefined ? undefined : summarizeRepeat(outcome.runs);
  const repeatReport: RepeatReport | undefined = summary && { target: report.target, istioVersion: report.istioVersion, startedAt: report.startedAt, durationMs: report.durationMs, summary, runs: outcome.runs };
  const written = writeRunReports(settings.REPORT_DIR, [{ catalogue, report, repeat: repeatReport }]);
  const shown = (file: string) => path.relative(process.cwd(), file);
  const counts = summarize(results.steps);
  console.log(`conformance: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped${summary ? ` in the last of ${outcome.runs.length} runs` : ''} (report: ${shown(written.summary.html)}, ${shown(written.catalogues[0]!.html)})`);
  if (summary) {
    console.log(repeatTable(summary));
    console.log(`conformance: ${summary.failedRuns} of ${summary.runs} runs had a failed step${outcome.stoppedBecause ? `; stopped: ${outcome.stoppedBecause}` : ''} (per step: ${shown(written.catalogues[0]!.repeat!)})`);
  }
  const noneRan = outcome.runs.filter((run) => run.steps.every((step) => step.status === 'skipped'));
  if (noneRan.length > 0) {
    const which = outcome.runs.length > 1 ? ` (run ${noneRan.map((run) => run.run).join(', ')})` : '';
    console.error(`error: no step ran${which} (every step was skipped): a run that checked nothing does not pass; see the reasons in the report`);
    return 1;
  }
  const anyFailed = outcome.runs.some((run) => run.steps.some((step) => step.status === 'failed'));
  // Fewer runs than asked for (stopped by a signal or a run without results) is not a pass either.
  return anyFailed || outcome.runs.length < (repeat ?? 1) ? 1 : 0;
});
