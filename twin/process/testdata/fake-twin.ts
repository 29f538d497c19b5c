// A stand-in for a twin run, used by the tests as the parent they SIGKILL or ask to stop:
//   fake-twin.ts STATE_DIR [--node] [--escaped]
// starts two supervised `sleep`s (inside the node namespace with --node), optionally a process that
// escaped supervision (no parent-death signal, inside the namespace), prints one JSON line with the
// pids and names, and on SIGTERM stops everything and removes the namespace as the twin does.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { hostIpv4Prefixes, pickSubnet, serviceCidr } from '../../node/addresses';
import { nodeNames } from '../../node/names';
import { createNodeNetwork, removeNodeNetwork } from '../../node/netns';
import { StateFile } from '../state-file';
import { Supervisor } from '../supervisor';

async function main(): Promise<void> {
  const [stateDir, ...flags] = process.argv.slice(2);
  if (!stateDir) throw new Error('usage: fake-twin.ts STATE_DIR [--node] [--escaped]');
  const state = new StateFile(stateDir);
  state.setOwner('fake-twin');
  const names = nodeNames(stateDir);
  let netns: string | undefined;
  if (flags.includes('--node')) {
    state.addNetns(names.netns);
    state.addHostLink(names.hostLink);
    await createNodeNetwork({ ...names, subnet: pickSubnet(names.seed, await hostIpv4Prefixes()), serviceCidr });
    netns = names.netns;
  }
  const supervisor = new Supervisor({ logDir: path.join(stateDir, 'logs'), state });
  const children = ['first', 'second'].map((name) => supervisor.start({ name, command: 'sleep', args: ['1000'], netns }));
  let escaped: number | undefined;
  if (flags.includes('--escaped') && netns) {
    const child = spawn('ip', ['netns', 'exec', netns, 'sleep', '1000'], { detached: true, stdio: 'ignore' });
    child.unref();
    escaped = child.pid;
  }
  process.on('SIGTERM', () => {
    void (async () => {
      await supervisor.stopAll();
      await removeNodeNetwork(names);
      state.clear();
      process.exit(0);
    })();
  });
  console.log(JSON.stringify({ pids: children.map((c) => c.pid), escaped, netns, hostLink: names.hostLink }));
  setInterval(() => {}, 60_000);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
