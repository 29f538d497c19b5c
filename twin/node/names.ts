// Names of the node's kernel objects, derived from the state folder so that two twins with two
// state folders never collide, and so that twin:down finds them again from the folder alone.
import { createHash } from 'node:crypto';
import path from 'node:path';

export interface NodeNames {
  /** The node's network namespace (`ip netns`), e.g. igc-1a2b3c4d. */
  netns: string;
  /** The host end of the veth pair (interface names hold at most 15 characters). */
  hostLink: string;
  /** The node end of the veth pair, inside the namespace. */
  nodeLink: string;
  /** A number from the same hash, the first choice of the node's /30 (see addresses.ts). */
  seed: number;
}

export function nodeNames(stateDir: string): NodeNames {
  const digest = createHash('sha256').update(path.resolve(stateDir)).digest('hex');
  const short = digest.slice(0, 8);
  return { netns: `igc-${short}`, hostLink: `igc${short}h`, nodeLink: 'eth0', seed: parseInt(short, 16) };
}
