// The faults in force on one twin, in a file of its state folder: the rehearsal writes it, and the
// boundaries read it when they act (the stand-in in the gateway pod, the pod runner, the fault
// controller). A file, so that one twin serves many rehearsals, each with its own faults. It holds
// the throwaway certificates the xDS faults substitute, so it is written 0600 and never logged.
import fs from 'node:fs';
import path from 'node:path';
import { isFaultName, type FaultName } from './names';

/** Certificates the xDS faults put in place of the real ones (PEM; made by the rehearsal). */
export interface FaultMaterial {
  /** A self-signed certificate for the host, with its key (server-cert-self-signed). */
  selfSigned?: { certPem: string; keyPem: string };
  /** A certificate for another host from the run's own intermediate CA (server-cert-wrong-host). */
  wrongHost?: { certPem: string; keyPem: string };
  /** Another certificate for the host from the run's own intermediate CA, with its key (mounted-cert-other-serial). */
  otherServer?: { certPem: string; keyPem: string };
  /** A CA that issued nothing the suite uses (mutual-rejects-valid-client). */
  unrelatedCaPem?: string;
}

/**
 * The objects the faults act on, by name: the rehearsed catalogue's (suites/<id>/faults.ts), so
 * that the twin's mechanisms hold no catalogue's names.
 */
export interface FaultObjects {
  /** The gateway pods' namespace, where the catalogue's secrets live. */
  gatewayNamespace: string;
  /** Where the catalogue's Gateway, VirtualService and the httpbin sample live. */
  appNamespace: string;
  gatewayName: string;
  virtualServiceName: string;
  /** The `istio:` label of the gateway pods the catalogue's Gateway selects. */
  gatewaySelector: string;
  /** The secret with the server's certificate and key (tls.crt, tls.key). */
  serverSecret: string;
  /** The secret with the client CA chain of MUTUAL, and its key there. */
  caSecret: string;
  caKey: string;
}

/** Istio's default gateway with the 2018 doc's secret names: what a twin without a rehearsal's faults file assumes. */
export const DEFAULT_FAULT_OBJECTS: FaultObjects = {
  gatewayNamespace: 'istio-system',
  appNamespace: 'default',
  gatewayName: 'httpbin-gateway',
  virtualServiceName: 'httpbin',
  gatewaySelector: 'ingressgateway',
  serverSecret: 'istio-ingressgateway-certs',
  caSecret: 'istio-ingressgateway-ca-certs',
  caKey: 'ca-chain.cert.pem',
};

export interface ActiveFaults {
  faults: FaultName[];
  objects: FaultObjects;
  /** Every xDS push after the first of its type reaches Envoy this much later. */
  propagationDelayMs: number;
  material: FaultMaterial;
}

export const NO_FAULTS: ActiveFaults = { faults: [], objects: DEFAULT_FAULT_OBJECTS, propagationDelayMs: 0, material: {} };

/** The file's place in a twin's state folder; the Envoy launcher passes it to the stand-in. */
export function faultsFile(stateDir: string): string {
  return path.join(stateDir, 'faults', 'active.json');
}

export function writeActiveFaults(file: string, active: ActiveFaults): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(active), { mode: 0o600 });
  fs.renameSync(temporary, file); // readers never see half a file
}

/** A reader that re-reads the file only when it changed; a missing or unreadable file means no faults. */
export function activeFaultsReader(file: string | undefined): () => ActiveFaults {
  let seenStamp = '';
  let current = NO_FAULTS;
  return () => {
    if (!file) return NO_FAULTS;
    let stamp: string;
    try {
      const stat = fs.statSync(file);
      stamp = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    } catch {
      return (current = NO_FAULTS);
    }
    if (stamp === seenStamp) return current;
    seenStamp = stamp;
    current = parseActiveFaults(fs.readFileSync(file, 'utf8'));
    return current;
  };
}

function parseActiveFaults(text: string): ActiveFaults {
  try {
    const raw = JSON.parse(text) as Partial<ActiveFaults>;
    return {
      faults: (raw.faults ?? []).filter((name): name is FaultName => typeof name === 'string' && isFaultName(name)),
      objects: { ...DEFAULT_FAULT_OBJECTS, ...raw.objects },
      propagationDelayMs: Number(raw.propagationDelayMs) > 0 ? Number(raw.propagationDelayMs) : 0,
      material: raw.material ?? {},
    };
  } catch {
    return NO_FAULTS;
  }
}

export function hasFault(active: ActiveFaults, name: FaultName): boolean {
  return active.faults.includes(name);
}
