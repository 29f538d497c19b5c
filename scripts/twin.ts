// `npm run twin -- --kubeconfig-out FILE [--state-dir DIR]`: starts the twin (a real Kubernetes
// control plane in a network namespace of its own, with a kwok node), writes the admin kubeconfig,
// prints one ready line, and runs until Ctrl-C / SIGTERM (or until the npm command that started it
// is killed), then stops everything it started and removes the namespace and veth. A run killed
// hard is swept by `npm run twin:down`.
import { Command } from 'commander';
import path from 'node:path';
import { runMain } from '../helpers/cli';
import { fromUserFolder, loadSettings } from '../helpers/config';
import { startTwin, type Twin } from '../twin';
import { ensureControlPlaneBinaries } from '../twin/binaries';
import { checkTwinHost } from '../twin/preflight';
import { defaultStateDir } from '../twin/paths';
import { installIstio } from '../twin/istio/install';
import { connect } from '../helpers/kube';
import { deployHttpbin } from '../helpers/targets/twin';
import { writeEnvoyLauncher } from '../twin/istio/envoy-stand-in';
import { podRunnerPlugin } from '../twin/pods';
import { watchAncestors } from '../twin/process/ancestry';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

runMain(async () => {
  const settings = loadSettings();
  const program = new Command('twin')
    .description('Start the twin: a real Kubernetes control plane on this machine, without containers (needs root).')
    .requiredOption('--kubeconfig-out <file>', 'where to write the admin kubeconfig')
    .option('--state-dir <dir>', "the twin's state folder (logs, certificates, etcd data)", defaultStateDir(settings))
    .option('--no-istio', 'start without installing Istio (by default the real istioctl installs it, with the doc\'s gateway)')
    .option('--no-httpbin', "start without Istio's httpbin sample (by default it is deployed, as the doc's \"Before you begin\" needs)")
    .option('--verbose', 'print each component as it becomes ready, with its time')
    .exitOverride()
    .parse(process.argv.slice(2), { from: 'user' });
  const given = program.opts<{ kubeconfigOut: string; stateDir: string; istio: boolean; httpbin: boolean; verbose?: boolean }>();
  // Relative paths are the user's: from the folder npm was run in.
  const flags = { ...given, kubeconfigOut: fromUserFolder(given.kubeconfigOut), stateDir: fromUserFolder(given.stateDir) };
  const log = (line: string) => console.error(`twin: ${line}`);
  // Before any build or change: root, the host tools (installed when missing), Go and disk.
  await checkTwinHost(settings, log);

  // One way to ask for a stop, whatever asks: a signal, or npm / tsx / the shell going away.
  const stopRequest = new AbortController();
  const requestStop = (why: string) => {
    if (stopRequest.signal.aborted) return;
    log(`${why}: stopping`);
    stopRequest.abort(new Error(`stopped (${why})`));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => requestStop(signal));
  watchAncestors(3, (gone) => requestStop(`the command that started the twin is gone (pid ${gone.pid})`));
  const stopRequested = new Promise<void>((resolve) => stopRequest.signal.addEventListener('abort', () => resolve(), { once: true }));

  const started = Date.now();
  const binaries = await ensureControlPlaneBinaries(log, stopRequest.signal);
  let twin: Twin;
  try {
    twin = await startTwin({
      stateDir: flags.stateDir,
      binaries,
      kubeconfigOut: flags.kubeconfigOut,
      // The container runtime's stand-in: pods become processes in their own network namespaces.
      // pilot-agent starts the Envoy stand-in as its Envoy binary (/usr/local/bin/envoy in the view).
      podRunner: podRunnerPlugin({ stateDir: flags.stateDir, standIns: { envoy: writeEnvoyLauncher(path.join(flags.stateDir, 'istio')) } }),
      log,
      progress: flags.verbose ? log : undefined,
      signal: stopRequest.signal,
    });
  } catch (error) {
    if (stopRequest.signal.aborted) return 130;
    throw error;
  }
  let istio = 'no Istio';
  let doc = '';
  try {
    if (flags.istio) {
      const installed = await installIstio(twin, { signal: stopRequest.signal });
      istio = `Istio ${installed.release} in ${seconds(installed.ms)}`;
      // The doc's variables, for its own commands typed by hand (the gateway's LoadBalancer address).
      doc = `; for the doc: export KUBECONFIG=${path.resolve(flags.kubeconfigOut)} INGRESS_HOST=${twin.node.address} SECURE_INGRESS_PORT=443`;
    }
    // The doc's "Before you begin" deploys the httpbin sample; without it the doc's curl gets
    // Envoy's 503 (the suite's targets deploy it themselves, and SG-X2 removes it).
    if (flags.httpbin) await deployHttpbin(await connect({ kubeconfigPath: twin.kubeconfig }));
  } catch (error) {
    await twin.stop();
    if (stopRequest.signal.aborted) return 130;
    throw error;
  }
  console.log(
    `twin ready: kubeconfig ${path.resolve(flags.kubeconfigOut)}, node ${twin.node.address} (${twin.kubeVersion}), ` +
      `control plane in ${seconds(twin.controlPlaneMs)}, ${istio}${flags.httpbin ? ', httpbin' : ''}, total ${seconds(Date.now() - started)}; state ${twin.node.stateDir}${doc}; Ctrl-C stops it`,
  );
  const failure = await Promise.race([twin.failure, stopRequested.then(() => undefined)]);
  await twin.stop();
  if (failure) {
    console.error(`twin: a component failed, the twin is stopped: ${failure.message}`);
    return 1;
  }
  log('stopped; the namespace and veth are removed');
  return 0;
});
