// `npm run rehearse -- [--fault NAME]... [--propagation-delay MS] [--tls-max 1.2] [--only IDS]
// [--stop-at-first-failure] [--list-faults]`: starts the twin (building what is missing), arms the
// named faults, runs the conformance catalogue against it, writes the reports (JSON and HTML), gives the twin back,
// and prints the time of each phase. Exits 0 only if no step failed.
import path from 'node:path';
import { Command, Option } from 'commander';
import { runMain } from '../helpers/cli';
import { loadSettings, UsageError } from '../helpers/config';
import { reportOf, summarize, writeRunReports } from '../helpers/report';
import { isFaultName, type FaultName } from '../twin/faults/names';
import { checkTwinHost } from '../twin/preflight';
import { REHEARSED_CATALOGUES, rehearsalCatalogueOptions, rehearsalStateDir, type RehearsedCatalogue } from '../flows/rehearse-options';
import { startCatalogue } from '../flows/run-catalogue';
import { unbuiltUnits } from '../twin/build';
import fs from 'node:fs';
import { checkedStepSelection } from '../flows/step-selection';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function listFaults(rehearsed: RehearsedCatalogue): string {
  const width = Math.max(...rehearsed.faults.map((fault) => fault.name.length));
  return rehearsed.faults.map((fault) => `${fault.name.padEnd(width)}  ${fault.breaks}  [${fault.boundary}] ${fault.acts}\n${' '.repeat(width + 2)}why ${fault.breaks} fails first: ${fault.why}`).join('\n');
}

runMain(async () => {
  const flags = new Command('rehearse')
    .description('Run the conformance catalogue against the twin, with named faults that break the gateway (needs root).')
    .option('--catalogue <id>', `the catalogue to rehearse: ${REHEARSED_CATALOGUES.map((c) => c.entry.id).join(', ')}`, REHEARSED_CATALOGUES[0]!.entry.id)
    .option('--fault <name>', 'arm a named fault (repeatable; see --list-faults)', (value: string, all: string[]) => [...all, value], [] as string[])
    .option('--propagation-delay <ms>', 'delay every config push to the gateway by this much', (value) => Number(value))
    .addOption(new Option('--tls-max <version>', "the suite's highest TLS version").choices(['1.2', '1.3']))
    .option('--old-httpbin', "deploy the old httpbin sample (the Python httpbin, whose 418 is an ASCII teapot)")
    .option('--only <ids>', 'run only these step IDs (comma-separated); cleanup always runs')
    .option('--stop-at-first-failure', 'skip the steps after the first failure (cleanup still runs)')
    .option('--list-faults', 'list the named faults, the step each breaks, and where it acts')
    .exitOverride()
    .parse(process.argv.slice(2), { from: 'user' })
    .opts<{ catalogue: string; fault: string[]; propagationDelay?: number; tlsMax?: '1.2' | '1.3'; oldHttpbin?: boolean; only?: string; stopAtFirstFailure?: boolean; listFaults?: boolean }>();
  const rehearsed = REHEARSED_CATALOGUES.find((candidate) => candidate.entry.id === flags.catalogue.trim());
  if (!rehearsed) throw new UsageError(`--catalogue: unknown catalogue ${JSON.stringify(flags.catalogue)}; the rehearsed ones are ${REHEARSED_CATALOGUES.map((c) => c.entry.id).join(', ')}`);
  const catalogue = rehearsed.entry;
  if (flags.listFaults) {
    console.log(listFaults(rehearsed));
    return 0;
  }
  const unknown = flags.fault.filter((name) => !isFaultName(name));
  if (unknown.length > 0) throw new UsageError(`unknown fault ${unknown.join(', ')}: npm run rehearse -- --list-faults names them`);
  const elsewhere = flags.fault.filter((name) => !rehearsed.faults.some((fault) => fault.name === name));
  if (elsewhere.length > 0) throw new UsageError(`fault ${elsewhere.join(', ')} breaks no step of ${rehearsed.entry.id}: npm run rehearse -- --catalogue ${rehearsed.entry.id} --list-faults names its faults`);
  if (flags.propagationDelay !== undefined && !(Number.isInteger(flags.propagationDelay) && flags.propagationDelay >= 0 && flags.propagationDelay <= 60_000)) {
    throw new UsageError('--propagation-delay takes milliseconds, 0 to 60000');
  }
  const settings = loadSettings();
  const only = checkedStepSelection(flags.only, '--only', catalogue) ?? checkedStepSelection(settings.ONLY_STEPS, 'setting ONLY_STEPS', catalogue);
  const startedAt = new Date();
  const phases: Array<[string, number]> = [];
  const log = (line: string) => console.error(line);
  console.log(`rehearse: the twin, faults ${flags.fault.length > 0 ? flags.fault.join(', ') : 'none'}${flags.propagationDelay ? `, propagation delay ${flags.propagationDelay} ms` : ''}${flags.tlsMax ? `, TLS max ${flags.tlsMax}` : ''}${flags.oldHttpbin ? ', the old httpbin sample' : ''}`);
  let mark = Date.now();
  await checkTwinHost(settings, log);
  // The doc's certificates go in a folder of this run's; with a warm build, jest and the catalogue
  // load beside the twin's start and begin on the go-ahead (once httpbin is back and the faults armed).
  const stateDir = rehearsalStateDir(settings);
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const certDir = fs.mkdtempSync(path.join(stateDir, 'rehearsal-certs-'));
  const runOptions = { catalogue: rehearsed, reportDir: settings.REPORT_DIR, only, stopAtFirstFailure: flags.stopAtFirstFailure, tlsMax: flags.tlsMax };
  const started = unbuiltUnits().length === 0 ? startCatalogue({ ...rehearsalCatalogueOptions(path.join(stateDir, 'kubeconfig'), certDir, runOptions), waitForGoAhead: true }) : undefined;
  // The twin's code loads the Kubernetes client (seconds): while jest starts.
  const { rehearse, startRehearsalTwin } = require('../flows/rehearse') as typeof import('../flows/rehearse');
  let twin: Awaited<ReturnType<typeof startRehearsalTwin>>;
  try {
    twin = await startRehearsalTwin(settings, log, stateDir);
  } catch (error) {
    await started?.abort();
    fs.rmSync(certDir, { recursive: true, force: true });
    throw error;
  }
  phases.push(['twin start (build check, control plane, Istio, httpbin)', Date.now() - mark]);
  let outcome;
  try {
    outcome = await rehearse(twin, {
      catalogue: rehearsed,
      certDir,
      started,
      faults: flags.fault as FaultName[],
      propagationDelayMs: flags.propagationDelay,
      tlsMax: flags.tlsMax,
      httpbin: flags.oldHttpbin ? 'old' : 'current',
      only,
      stopAtFirstFailure: flags.stopAtFirstFailure,
      reportDir: settings.REPORT_DIR,
      host: settings.HOST,
    });
    for (const [phase, ms] of Object.entries(outcome.phases)) phases.push([phase, ms]);
  } finally {
    mark = Date.now();
    await twin.release();
    phases.push(['twin stop', Date.now() - mark]);
    fs.rmSync(certDir, { recursive: true, force: true });
  }
  for (const [phase, ms] of phases) console.log(`rehearse: ${phase}: ${seconds(ms)}`);
  console.log(`rehearse: total ${seconds(Date.now() - startedAt.getTime())}`);
  if (!outcome.results) {
    console.error('error: the conformance suites ended without results (see the output above)');
    return 1;
  }
  const report = reportOf({ name: 'twin', istioVersion: twin.target.istioVersion, tools: { kubernetes: twin.target.kubernetesVersion, faults: flags.fault.join(',') || 'none' } }, outcome.results, startedAt);
  const written = writeRunReports(settings.REPORT_DIR, [{ catalogue, report }]);
  const counts = summarize(outcome.results.steps);
  const first = outcome.firstFailed ? `; first failed: ${outcome.firstFailed.id}` : '';
  console.log(`rehearse: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped${first} (report: ${path.relative(process.cwd(), written.summary.html)}, ${path.relative(process.cwd(), written.catalogues[0]!.html)})`);
  return counts.failed === 0 ? 0 : 1;
});
