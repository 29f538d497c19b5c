// SG-T5's reading of the gateway's log: the lines that mean the gateway could not load this host's
// certificates or config, minus the waits that resolved. A mounted Secret reaches the pod only
// after the kubelet's next volume sync (about a minute on a real node), so when a Gateway names a
// file before it is there, pilot-agent retries for 10 s, logs "failed to generate secret ... no
// such file or directory" (Envoy logs its SDS stream closing), and reads the file once it appears
// ("read certificate from file resource=..."). Such a wait is normal propagation, not an error;
// the same error with no later read is one.

// pilot-agent's file-certificate errors, Envoy's certificate-loading errors, rejected (NACKed) config.
const ERROR_LINES = [/failed to generate secret/i, /failed to (load|read|parse).*(cert|key|certificate)/i, /gRPC config for .* rejected/i, /\bNACK\b/, /Failed to load (certificate chain|private key)/i];
const FILE_RESOURCE = /(file-(?:cert|root):[^\s:~]+(?:~[^\s:~]+)?)/;
const MISSING_FILE = /no such file or directory/;
const READ_FILE = /read certificate from file\s+resource=(\S+)/;

export interface GatewayLogVerdict {
  errors: string[];
  /** Errors for a file that was not there yet and was read afterwards. */
  resolvedWaits: string[];
}

export function gatewayLogErrors(text: string): GatewayLogVerdict {
  const lines = text.split('\n');
  const lastReadAt = new Map<string, number>();
  lines.forEach((line, index) => {
    const read = line.match(READ_FILE);
    if (read) lastReadAt.set(read[1]!, index);
  });
  const verdict: GatewayLogVerdict = { errors: [], resolvedWaits: [] };
  lines.forEach((line, index) => {
    if (!ERROR_LINES.some((pattern) => pattern.test(line))) return;
    const resource = line.match(FILE_RESOURCE)?.[1];
    const resolved = resource !== undefined && MISSING_FILE.test(line) && (lastReadAt.get(resource) ?? -1) > index;
    (resolved ? verdict.resolvedWaits : verdict.errors).push(line);
  });
  return verdict;
}
