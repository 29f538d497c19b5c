// SG-T5's reading of the gateway's log: the lines that mean the gateway could not load this host's
// certificates or config, minus the waits that resolved. A mounted Secret reaches the pod only
// after the kubelet's next volume sync (about a minute on a real node), so when a Gateway names a
// file before it is there, pilot-agent retries for 10 s, logs "failed to generate secret ... no
// such file or directory" (Envoy logs its SDS stream closing), and reads the file once it appears
// ("read certificate from file resource=..."). Such a wait is normal propagation, not an error;
// the same error with no later read is one.
//
// With `global.logAsJson` both write JSON lines instead; they are read as the same text. pilot-agent
// (istio.io/istio pkg/log, zap's JSON encoder: keys time, level, scope, msg, caller, stack, and
// WithLabels() labels as fields of their own, so the read line carries `"resource": "file-root:…"`):
//   {"level":"info","time":"…","scope":"cache","msg":"read certificate from file","resource":"file-root:…"}
// Envoy, with the format Istio's bootstrap sets (tools/packaging/common/envoy_bootstrap.json,
// application_log_config.log_format.json_format):
//   {"time":"…","level":"warning","scope":"envoy config","msg":"StreamSecrets gRPC config stream to sds-grpc closed: …","caller":"grpc_stream.h:193","thread":"15"}

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

// The fields a JSON line has besides its labels (pilot-agent's and Envoy's formats above).
const ENTRY_KEYS = new Set(['time', 'level', 'scope', 'msg', 'caller', 'stack', 'thread']);

/** A log line as text: a JSON line becomes "time<TAB>level<TAB>scope<TAB>msg<TAB>label=value…", as the text format writes it. */
export function logLineText(line: string): string {
  if (!line.startsWith('{')) return line;
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (!entry || typeof entry !== 'object' || typeof (entry as { msg?: unknown }).msg !== 'string') return line;
  const fields = entry as Record<string, unknown>;
  const labels = Object.entries(fields)
    .filter(([key]) => !ENTRY_KEYS.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return [fields.time, fields.level, fields.scope, fields.msg, ...labels].filter((part) => part !== undefined).join('\t');
}

export function gatewayLogErrors(text: string): GatewayLogVerdict {
  const raw = text.split('\n');
  const lines = raw.map(logLineText);
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
    (resolved ? verdict.resolvedWaits : verdict.errors).push(raw[index]!);
  });
  return verdict;
}
