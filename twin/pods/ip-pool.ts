// Pod IPs from the node's pod CIDR, as a host-local IPAM plugin hands them out: the first address
// is the gateway every pod routes through (the node end of each pod's veth holds it, as the CNI
// ptp plugin does), the network and broadcast addresses are never given, and an address comes
// back to the pool when its pod is gone. Loopback ranges are refused: Kubernetes rejects
// 127.0.0.0/8 in Endpoints and EndpointSlices, so such pods could never be a Service's backend.
import { ipToNumber, numberToIp, prefixRange } from '../node/addresses';

export class IpPool {
  readonly gateway: string;
  readonly prefixLength: number;
  private readonly first: number;
  private readonly last: number;
  /** address → owner (a pod uid) */
  private readonly taken = new Map<number, string>();
  private next: number;

  constructor(readonly cidr: string) {
    const [network, lengthText] = cidr.split('/');
    const length = Number(lengthText);
    if (!network || !Number.isInteger(length) || length < 8 || length > 29) {
      throw new Error(`pod CIDR ${cidr} is not an IPv4 prefix between /8 and /29`);
    }
    const [start, end] = prefixRange(cidr);
    if (ipToNumber(network) !== start) throw new Error(`pod CIDR ${cidr} has host bits set`);
    const [loopStart, loopEnd] = prefixRange('127.0.0.0/8');
    if (start <= loopEnd && end >= loopStart) {
      throw new Error(`pod CIDR ${cidr} overlaps 127.0.0.0/8: Kubernetes rejects loopback endpoint addresses`);
    }
    this.prefixLength = length;
    this.gateway = numberToIp(start + 1);
    this.first = start + 2;
    this.last = end - 1;
    this.next = this.first;
  }

  /** The owner's address: the one it already holds, else the next free one (round robin). */
  allocate(owner: string): string {
    for (const [address, holder] of this.taken) if (holder === owner) return numberToIp(address);
    const size = this.last - this.first + 1;
    for (let i = 0; i < size; i += 1) {
      const candidate = this.first + ((this.next - this.first + i) % size);
      if (!this.taken.has(candidate)) {
        this.taken.set(candidate, owner);
        // Round robin, as host-local does: a new pod does not get the address of one just deleted,
        // whose EndpointSlice entries may still be on their way out.
        this.next = candidate + 1 > this.last ? this.first : candidate + 1;
        return numberToIp(candidate);
      }
    }
    throw new Error(`pod CIDR ${this.cidr} is full (${size} addresses in use)`);
  }

  /** Claims a given address (a pod the runner finds already running with it); false if unusable. */
  reserve(address: string, owner: string): boolean {
    let n: number;
    try {
      n = ipToNumber(address);
    } catch {
      return false;
    }
    if (n < this.first || n > this.last) return false;
    const holder = this.taken.get(n);
    if (holder !== undefined && holder !== owner) return false;
    this.taken.set(n, owner);
    return true;
  }

  release(owner: string): void {
    for (const [address, holder] of this.taken) if (holder === owner) this.taken.delete(address);
  }

  get inUse(): number {
    return this.taken.size;
  }
}
