// Sweeps what a twin left on the host, from its state folder alone: asks a live owner to stop
// first, then kills what still runs (recorded processes and anything inside the recorded
// namespaces), and removes the namespaces and host links. Used by `npm run twin:down` and by a
// start that finds the leftovers of a killed run.
import { eventually } from '../../helpers/eventually';
import { deleteLink, deleteNetns, listNetns, netnsPids } from '../node/netns';
import { nodeNames } from '../node/names';
import { identify, isSameProcessAlive, type ProcessIdentity } from './identity';
import { StateFile } from './state-file';

export interface SweepOptions {
  ip?: string;
  /** How long a live owner gets to stop by itself (default 30 s). */
  ownerTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface SweepResult {
  /** One phrase per thing stopped or removed; empty when the host was clean. */
  swept: string[];
}

export async function sweep(stateDir: string, options: SweepOptions = {}): Promise<SweepResult> {
  const ip = options.ip ?? 'ip';
  const log = options.log ?? (() => {});
  const state = new StateFile(stateDir);
  const swept: string[] = [];

  const owner = state.current.owner;
  if (owner && owner.pid !== process.pid && isSameProcessAlive(owner)) {
    log(`asking the running twin (pid ${owner.pid}) to stop`);
    process.kill(owner.pid, 'SIGTERM');
    const stopped = await waitGone([owner], options.ownerTimeoutMs ?? 30_000);
    if (!stopped) await killAll([owner], 0);
    swept.push(`twin process ${owner.pid}`);
  }

  // Re-read: an owner that stopped cleanly has emptied the file.
  const left = new StateFile(stateDir).current;
  const derived = nodeNames(stateDir);
  // Namespaces named after the node's (the pod runner's `<node>-pod-…`) belong to this twin too,
  // even when a torn state file lost them.
  const children = (await listNetns(ip)).filter((name) => name.startsWith(`${derived.netns}-`));
  const netnsList = unique([...left.netns, derived.netns, ...children]);
  const linkList = unique([...left.hostLinks, derived.hostLink]);

  const victims: (ProcessIdentity & { name: string })[] = left.processes.filter(isSameProcessAlive);
  for (const netns of netnsList) {
    for (const pid of await netnsPids(netns, ip)) {
      if (pid !== process.pid && !victims.some((v) => v.pid === pid)) victims.push({ name: `pid in ${netns}`, ...identify(pid) });
    }
  }
  if (victims.length > 0) {
    await killAll(victims, 2_000);
    swept.push(...victims.map((v) => `process ${v.name} (pid ${v.pid})`));
  }

  for (const link of linkList) {
    if (await deleteLink(link, ip)) swept.push(`veth ${link}`);
  }
  for (const netns of netnsList) {
    if (await deleteNetns(netns, ip)) swept.push(`network namespace ${netns}`);
  }
  new StateFile(stateDir).clear();
  return { swept };
}

/** SIGTERM, then SIGKILL those still alive after graceMs; waits until they are gone. */
async function killAll(victims: ProcessIdentity[], graceMs: number): Promise<void> {
  if (graceMs > 0) {
    for (const v of victims) sendSignal(v, 'SIGTERM');
    if (await waitGone(victims, graceMs)) return;
  }
  for (const v of victims) sendSignal(v, 'SIGKILL');
  await waitGone(victims, 10_000);
}

function sendSignal(victim: ProcessIdentity, name: NodeJS.Signals): void {
  if (!isSameProcessAlive(victim)) return;
  try {
    process.kill(victim.pid, name);
  } catch {
    // gone meanwhile
  }
}

async function waitGone(victims: ProcessIdentity[], budgetMs: number): Promise<boolean> {
  try {
    await eventually(
      async () => victims.filter(isSameProcessAlive).length,
      (alive) => alive === 0,
      { budgetMs, converge: 1, initialDelayMs: 20, maxDelayMs: 200, expectation: 'processes gone' },
    );
    return true;
  } catch {
    return false;
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
