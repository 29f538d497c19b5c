// The executable twin-kubelet-stream runs for `kubectl exec` and `kubectl port-forward`:
//   HOOK exec NAMESPACE POD CONTAINER -- CMD...   runs CMD in the container's network namespace
//                                                 and filesystem view, with its environment;
//                                                 the exit status is CMD's (127 not found,
//                                                 126 not executable, as a runtime reports it)
//   HOOK port-forward NAMESPACE POD PORT          connects stdin/stdout to 127.0.0.1:PORT in the
//                                                 pod's network namespace
// It is a small bash script written into the state folder; what it needs per container (the
// `ip netns exec … bwrap …` prefix, NUL-separated) the runner writes into an index folder while
// the container runs, so exec sees exactly the view the program got.
import fs from 'node:fs';
import path from 'node:path';

export interface HookPaths {
  /** The hook script. */
  hook: string;
  /** <index>/<namespace>_<pod>/{netns, <container>.argv} */
  index: string;
}

export function hookPaths(podsDir: string): HookPaths {
  return { hook: path.join(podsDir, 'hook'), index: path.join(podsDir, 'exec') };
}

/** Runs a command in a pod's view: `sh -c 'exec "$@"'` turns a missing command into 127. */
export const execShim = ['/bin/sh', '-c', 'exec "$@"', 'sh'];

/** Connects stdin/stdout to a port on the pod's loopback (half-close passed on both ways). */
const portForwardScript = [
  "const s=require('net').connect(Number(process.argv[1]),'127.0.0.1');",
  'process.stdin.pipe(s);s.pipe(process.stdout);',
  "s.on('error',(e)=>{process.stderr.write(e.message+'\\n');process.exit(1);});",
  "s.on('close',()=>process.exit(0));",
].join('');

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function hookScript(paths: HookPaths, tools: { ip: string; node: string }): string {
  return `#!/bin/bash
# The twin's exec/port-forward hook, written by the pod runner (twin/pods/hook.ts). Do not edit.
set -u
index=${shellQuote(paths.index)}
ip=${shellQuote(tools.ip)}
node=${shellQuote(tools.node)}
usage() { echo "usage: $0 exec NAMESPACE POD CONTAINER -- CMD... | port-forward NAMESPACE POD PORT" >&2; exit 2; }
case "\${1:-}" in
exec)
  [ $# -ge 5 ] || usage
  namespace=$2 pod=$3 container=$4
  shift 4
  [ "\${1:-}" = "--" ] && shift
  [ $# -ge 1 ] || usage
  argv="$index/\${namespace}_\${pod}/\${container}.argv"
  if [ ! -r "$argv" ]; then
    echo "container \\"$container\\" is not running in pod $namespace/$pod" >&2
    exit 1
  fi
  mapfile -d '' prefix < "$argv"
  exec "\${prefix[@]}" ${execShim.map(shellQuote).join(' ')} "$@"
  ;;
port-forward)
  [ $# -eq 4 ] || usage
  namespace=$2 pod=$3 port=$4
  netns=$(cat "$index/\${namespace}_\${pod}/netns" 2>/dev/null) || { echo "pod $namespace/$pod has no network namespace" >&2; exit 1; }
  exec "$ip" netns exec "$netns" "$node" -e ${shellQuote(portForwardScript)} "$port"
  ;;
*)
  usage
  ;;
esac
`;
}

export function writeHook(paths: HookPaths, tools: { ip: string; node: string }): void {
  fs.mkdirSync(paths.index, { recursive: true });
  const temporary = `${paths.hook}.tmp`;
  fs.writeFileSync(temporary, hookScript(paths, tools), { mode: 0o755 });
  fs.renameSync(temporary, paths.hook);
}

function podIndexDir(paths: HookPaths, namespace: string, pod: string): string {
  return path.join(paths.index, `${namespace}_${pod}`);
}

/** Publishes a pod's namespace (port-forward works from here on). */
export function publishPod(paths: HookPaths, namespace: string, pod: string, netns: string): void {
  const dir = podIndexDir(paths, namespace, pod);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'netns'), netns);
}

/** The file that says how to enter a container: its exec prefix, NUL-separated. */
export function containerEntryFile(paths: Pick<HookPaths, 'index'>, namespace: string, pod: string, container: string): string {
  return path.join(paths.index, `${namespace}_${pod}`, `${container}.argv`);
}

/** Publishes how to enter a container (exec works from here on). */
export function publishContainer(paths: HookPaths, namespace: string, pod: string, container: string, prefix: string[]): void {
  const dir = podIndexDir(paths, namespace, pod);
  fs.mkdirSync(dir, { recursive: true });
  const file = containerEntryFile(paths, namespace, pod, container);
  // The argv may hold env values from secrets: readable by root only.
  fs.writeFileSync(`${file}.tmp`, prefix.map((arg) => `${arg}\0`).join(''), { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
}

export function unpublishContainer(paths: HookPaths, namespace: string, pod: string, container: string): void {
  fs.rmSync(containerEntryFile(paths, namespace, pod, container), { force: true });
}

export function unpublishPod(paths: HookPaths, namespace: string, pod: string): void {
  fs.rmSync(podIndexDir(paths, namespace, pod), { recursive: true, force: true });
}
