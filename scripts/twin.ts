// `npm run twin -- --kubeconfig-out FILE [--state-dir DIR]`: starts the twin (a real Kubernetes
// control plane in a network namespace of its own, with a kwok node), writes the admin kubeconfig,
// prints one ready line, and runs until Ctrl-C / SIGTERM (or until the npm command that started it
// is killed), then stops everything it started and removes the namespace and veth. A run killed
// hard is swept by `npm run twin:down`.
import { Command } from 'commander';
import path from 'node:path';
import { runMain } from '../helpers/cli';
import { fromUserFolder, loadSettings } from '../helpers/config';
import { checkTwinHost } from '../twin/preflight';
import { defaultStateDir } from '../twin/paths';
import { watchAncestors } from '../twin/process/ancestry';
import type { Twin } from '../twin';
import { startTwinWithIstio } from '../targets/twin/index';

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
  const log = (line: string) => console.error(line.startsWith('twin: ') ? line : `twin: ${line}`);
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
  let twin: Twin;
  let istio = 'no Istio';
  let doc = '';
  try {
    // The same start as npm test's: the control plane with the pod runner (pilot-agent starts the
    // Envoy stand-in as its Envoy binary), Istio and the httpbin sample the doc's "Before you begin"
    // deploys (without it the doc's curl gets Envoy's 503).
    const ready = await startTwinWithIstio(settings, {
      stateDir: flags.stateDir,
      kubeconfigOut: flags.kubeconfigOut,
      istio: flags.istio,
      httpbin: flags.httpbin,
      log,
      progress: flags.verbose ? log : undefined,
      signal: stopRequest.signal,
    });
    twin = ready.twin;
    if (ready.istio) {
      istio = `Istio ${ready.istio.release} in ${seconds(ready.istio.ms)}${ready.istio.via === 'snapshot' ? ' (restored from the snapshot of an istioctl install)' : ''}`;
      // The doc's variables, for its own commands typed by hand (the gateway's LoadBalancer address).
      doc = `; for the doc: export KUBECONFIG=${path.resolve(flags.kubeconfigOut)} INGRESS_HOST=${twin.node.address} SECURE_INGRESS_PORT=443`;
    }
  } catch (error) {
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
