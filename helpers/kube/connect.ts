// Opens a Kubernetes API from a kubeconfig context and checks that it answers, so that a wrong
// file, a wrong context or a cluster that is not running is one line before anything starts.
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { loadSettings, UsageError } from '../config';
import { oneLine, toKubeError, transportDetail } from './errors';
import { checkRunId, newRunId } from './ownership';
import { ApiTransport } from './transport';

export interface ConnectOptions {
  /** The kubeconfig file; default the KUBECONFIG setting (a path list), else ~/.kube/config. */
  kubeconfigPath?: string;
  /** The context; default the kubeconfig's current-context. */
  context?: string;
  /** The id that labels what this run creates; default a new one. */
  runId?: string;
  /** Budget of each API request in ms (default 30 s). */
  requestTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** What the operations of helpers/kube need: the API, the context it came from, and the run. */
export interface KubeClient {
  readonly kubeConfig: KubeConfig;
  /** The kubeconfig file(s) read, for messages. */
  readonly kubeconfigPath: string;
  readonly context: string;
  /** The API server's URL. */
  readonly server: string;
  /** The API server's version (gitVersion), as it answered /version. */
  readonly serverVersion: string;
  readonly runId: string;
  readonly transport: ApiTransport;
}

function kubeconfigFiles(options: ConnectOptions): string[] {
  if (options.kubeconfigPath) return [options.kubeconfigPath];
  const fromSetting = loadSettings(options.env ?? process.env).KUBECONFIG;
  if (fromSetting) return fromSetting.split(path.delimiter).filter(Boolean);
  return [path.join(os.homedir(), '.kube', 'config')];
}

/** Loads the kubeconfig file(s) and selects the context; UsageError for every user mistake. */
export function loadKubeConfig(options: ConnectOptions = {}): { kubeConfig: KubeConfig; files: string } {
  const files = kubeconfigFiles(options);
  const present = files.filter((file) => existsSync(file));
  const named = files.join(path.delimiter);
  if (present.length === 0) {
    throw new UsageError(`kubeconfig ${named} does not exist: point KUBECONFIG at a kubeconfig file`);
  }
  // As kubectl merges a KUBECONFIG list: the first file that defines a name wins.
  const kubeConfig = new KubeConfig();
  for (const file of present) {
    const one = new KubeConfig();
    try {
      one.loadFromString(readFileSync(file, 'utf8'));
      one.makePathsAbsolute(path.dirname(file));
    } catch (error) {
      throw new UsageError(`kubeconfig ${file} cannot be read: ${oneLine(error instanceof Error ? error.message : String(error))}`);
    }
    if (!kubeConfig.getCurrentContext() && one.getCurrentContext()) kubeConfig.setCurrentContext(one.getCurrentContext());
    for (const cluster of one.getClusters()) if (!kubeConfig.getCluster(cluster.name)) kubeConfig.addCluster(cluster);
    for (const user of one.getUsers()) if (!kubeConfig.getUser(user.name)) kubeConfig.addUser(user);
    for (const context of one.getContexts()) if (!kubeConfig.getContextObject(context.name)) kubeConfig.addContext(context);
  }
  const contexts = kubeConfig.getContexts().map((context) => context.name);
  const known = contexts.length > 0 ? `its contexts: ${contexts.join(', ')}` : 'it has no contexts';
  const wanted = options.context ?? kubeConfig.getCurrentContext();
  if (!wanted) {
    throw new UsageError(`kubeconfig ${named} sets no current-context: name a context (${known})`);
  }
  if (!kubeConfig.getContextObject(wanted)) {
    throw new UsageError(`context "${wanted}" is not in kubeconfig ${named}; ${known}`);
  }
  kubeConfig.setCurrentContext(wanted);
  if (!kubeConfig.getCurrentCluster()) {
    throw new UsageError(`context "${wanted}" in kubeconfig ${named} names cluster "${kubeConfig.getContextObject(wanted)?.cluster}", which the kubeconfig does not define`);
  }
  if (!kubeConfig.getCurrentUser()) {
    throw new UsageError(`context "${wanted}" in kubeconfig ${named} names user "${kubeConfig.getContextObject(wanted)?.user}", which the kubeconfig does not define`);
  }
  checkLocalFiles(kubeConfig, `context "${wanted}" in kubeconfig ${named}`);
  return { kubeConfig, files: named };
}

/** Whether `file` is a file that exists (not a folder). */
function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Where an exec plugin's command is, as kubectl finds it: a bare name on PATH, else the path itself. */
function findCommand(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = command.includes('/') ? [command] : (env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, command));
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return isFile(file);
    } catch {
      return false;
    }
  });
}

/**
 * The local files a context names (the CA, the client certificate and key, the exec credential
 * plugin): a missing one is the user's to fix, and said so by name before any request, which
 * would otherwise fail as if the cluster were unreachable.
 */
function checkLocalFiles(kubeConfig: KubeConfig, where: string): void {
  const cluster = kubeConfig.getCurrentCluster()!;
  const user = kubeConfig.getCurrentUser()!;
  const files: Array<[string, string | undefined]> = [
    ['certificate-authority', cluster.caFile],
    ['client-certificate', user.certFile],
    ['client-key', user.keyFile],
  ];
  for (const [field, file] of files) {
    if (file && !isFile(file)) throw new UsageError(`${where} names ${field} file ${file}, which does not exist; fix the path or use ${field}-data`);
  }
  const command = (user.exec as { command?: string } | undefined)?.command;
  if (command && !findCommand(command)) {
    throw new UsageError(`${where} runs the credential plugin "${command}" (users[].user.exec), which is ${command.includes('/') ? 'not an executable file' : 'not on PATH'}; install it or choose another context`);
  }
}

/**
 * Connects to the API of a kubeconfig context and asks it for its version. Every failure is a
 * UsageError of one line: a missing or broken kubeconfig, an unknown context, or an API server
 * that does not answer (not running, wrong address, refused credentials).
 */
export async function connect(options: ConnectOptions = {}): Promise<KubeClient> {
  const { kubeConfig, files } = loadKubeConfig(options);
  const context = kubeConfig.getCurrentContext();
  const server = kubeConfig.getCurrentCluster()!.server;
  const runId = checkRunId(options.runId ?? newRunId());
  const transport = ApiTransport.connect(kubeConfig, options.requestTimeoutMs ?? 30_000);
  let serverVersion: string;
  try {
    const version = await transport.request<{ gitVersion?: string }>('GET', '/version');
    serverVersion = version.gitVersion ?? 'unknown';
  } catch (error) {
    const api = `the Kubernetes API of context "${context}" at ${server} (kubeconfig ${files})`;
    const retry = 'is the cluster running, and is this the right context?';
    const failure = toKubeError('get', { kind: 'version' }, error);
    if (failure.reason === 'Unreachable') {
      throw new UsageError(`cannot reach ${api}: ${transportDetail(error)?.detail ?? failure.detail}; ${retry}`);
    }
    if (failure.reason === 'Timeout') {
      throw new UsageError(`${api} did not answer within ${transport.requestTimeoutMs} ms; ${retry}`);
    }
    const refused = failure.reason === 'Unauthorized' ? ' (the API server refused the credentials of this context)' : '';
    throw new UsageError(`${api} answered /version with ${failure.code ?? ''} ${failure.reason}: ${failure.detail}${refused}`);
  }
  return { kubeConfig, kubeconfigPath: files, context, server, serverVersion, runId, transport };
}
