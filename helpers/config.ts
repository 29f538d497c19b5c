// Every setting of the suite, read from the environment once and validated in one place.
// A bad value stops the run with one line: the setting, the value, and what is accepted.
import { z } from 'zod';
import os from 'node:os';
import path from 'node:path';

/** A user mistake in a setting, flag or environment: printed as one line, never as a stack. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Node's timers hold at most 2^31-1 ms (about 24.8 days); a longer one fires after 1 ms. */
export const TIMER_LIMIT_MS = 2 ** 31 - 1;

/** A whole number in [min, max], and a message that states the range for every wrong value. */
function wholeNumber(min: number, max: number, unit = '') {
  const accepted = { error: `a whole number from ${min} to ${max}${unit}` };
  return z.coerce.number(accepted).int(accepted).min(min, accepted).max(max, accepted);
}

/** A time in ms: 1 (or `min`) up to Node's timer limit unless a smaller `max` is given. */
const ms = (min: number, max = TIMER_LIMIT_MS) => wholeNumber(min, max, ' (milliseconds)');

/** The folder a person ran `npm run …` in: npm runs scripts from the package's folder and says where in INIT_CWD. */
export function userFolder(env: NodeJS.ProcessEnv = process.env): string {
  return env.INIT_CWD || process.cwd();
}

/** A path given by a person, made absolute from the folder they ran the command in. */
export function fromUserFolder(text: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(userFolder(env), text);
}

/** What HOST and --host accept, in words. */
export const DNS_NAME_RULE = 'a DNS name: labels of 1 to 63 letters, digits or hyphens (not at either end), dot-separated, 253 characters at most';

/** RFC 1123 host names, as certificates' DNS SANs and Kubernetes hosts take them. */
export function isDnsName(text: string): boolean {
  if (text.length === 0 || text.length > 253) return false;
  return text.split('.').every((label) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(label));
}

// The environment variables and what they hold. Add new settings here, one line each, in the
// section of their concern; `describeSettings()` lists them for --help and the README.
const settingsShape = {
  // target
  TARGET: z.enum(['auto', 'kind', 'existing', 'twin']).default('auto'),
  KUBECONFIG: z.string().optional(),
  // the existing target (targets/existing/index.ts): the kubeconfig context, which it needs named
  // (with the cluster's consent marker, targets/existing/guard.ts); how long a run waits
  // for another run's lock (0: refuse at once); the gateway (unset: detected)
  KUBE_CONTEXT: z.string().min(1).optional(),
  LOCK_WAIT_MS: ms(0, 3_600_000).default(0),
  GATEWAY_NAMESPACE: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'a namespace name').optional(),
  GATEWAY_SERVICE: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'a Service name').optional(),
  // where the suite writes
  // (a relative value is read from the user's folder, see PATH_SETTINGS)
  CACHE_DIR: z.string().default(path.join(os.homedir(), '.cache', 'istio-gateway-conformance')),
  REPORT_DIR: z.string().default('reports'),
  // the twin's Istio build: a release name from twin/versions.json (default: the file's default)
  TWIN_ISTIO: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a release name from twin/versions.json').optional(),
  // a warm twin start restores the snapshot of an earlier `istioctl install` (same key) instead of
  // running istioctl again; istioctl: always run the real istioctl install
  TWIN_ISTIO_INSTALL: z.enum(['snapshot', 'istioctl']).default('snapshot'),
  // the twin's pod runner: delay before a changed Secret/ConfigMap shows in pod volumes (a kubelet
  // takes up to about a minute), and the first crash-loop back-off (the kubelet's 10 s)
  // The twin's preflight installs missing Debian packages (root, apt-get) unless this says never.
  INSTALL_PACKAGES: z.enum(['auto', 'never']).default('auto'),
  TWIN_VOLUME_SYNC_MS: ms(0, 600_000).default(2_000),
  TWIN_RESTART_BACKOFF_MS: ms(0, 300_000).default(10_000),
  // which flavour of the doc: file-mount (verbatim) or sds (credentialName); auto detects
  PROFILE: z.enum(['auto', 'file-mount', 'sds']).default('auto'),
  // the kind target (helpers/cluster; pins in targets/kind/tools.json, unset = the pinned value)
  ISTIO_VERSION: z.string().regex(/^\d+\.\d+\.\d+$/, 'an Istio release, e.g. 1.30.4').optional(),
  KIND_VERSION: z.string().regex(/^v\d+\.\d+\.\d+$/, 'a kind release, e.g. v0.33.0').optional(),
  KIND_NODE_IMAGE: z.string().regex(/^\S+:\S+$/, 'an image reference, e.g. kindest/node:v1.36.4@sha256:…').optional(),
  KIND_CLUSTER_NAME: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,48}[a-z0-9])?$/, 'a lowercase DNS label').default('istio-gateway-conformance'),
  KIND_HTTPS_HOST_PORT: wholeNumber(1, 65535, ' (a TCP port)').default(8443),
  KEEP_CLUSTER: z.enum(['true', 'false']).default('false'),
  // where tools are downloaded from (a mirror of github.com's release paths), and checksums for
  // versions whose published sha256 is not pinned (for this machine's os/arch)
  TOOLS_BASE_URL: z.string().regex(/^https?:\/\/\S+$/, 'an http(s) URL, e.g. https://github.com').optional(),
  KIND_SHA256: z.string().regex(/^[a-f0-9]{64}$/, '64 lowercase hex digits').optional(),
  ISTIOCTL_SHA256: z.string().regex(/^[a-f0-9]{64}$/, '64 lowercase hex digits').optional(),
  // the doc's host and certificates
  HOST: z.string().refine(isDnsName, DNS_NAME_RULE).default('httpbin.example.com'),
  KEY_TYPE: z.enum(['rsa', 'ecdsa']).default('rsa'),
  RSA_BITS: z.coerce.number({ error: '2048, 3072 or 4096' }).int({ error: '2048, 3072 or 4096' }).refine((n) => [2048, 3072, 4096].includes(n), '2048, 3072 or 4096').default(2048),
  // waiting (upstream Istio's habits: ~1 s a request, 2 min budget, 3 passes in a row)
  WAIT_BUDGET_MS: ms(1).default(120_000),
  // the file-mount profile on a real kubelet (kind, existing): how long a written Secret may take to
  // be mounted and served (unset: derived from the kubelet's defaults, helpers/file-mount-wait.ts)
  FILE_MOUNT_WAIT_MS: ms(1, 3_600_000).optional(),
  REQUEST_TIMEOUT_MS: ms(1).default(1_000),
  // the highest TLS version the suite's client offers (1.2: MUTUAL then refuses with handshake_failure)
  TLS_MAX: z.enum(['1.2', '1.3']).optional(),
  // TLS 1.3: how long the probe reads before writing, so a post-handshake alert is not lost
  PROBE_ACCEPT_WINDOW_MS: ms(0, 60_000).default(300),
  CONVERGE: wholeNumber(1, 20, ' (passes in a row)').default(3),
  // how a conformance run proceeds: only some steps (comma-separated IDs), stop at the first failure
  ONLY_STEPS: z
    .string()
    .regex(/^[A-Z]+-[A-Z0-9]+(,[A-Z]+-[A-Z0-9]+)*$/, 'comma-separated step IDs, e.g. SG-S4,SG-M3')
    .transform((ids) => ids.split(','))
    .optional(),
  STOP_AT_FIRST_FAILURE: z
    .enum(['0', '1', 'true', 'false'])
    .transform((flag) => flag === '1' || flag === 'true')
    .default(false),
  // where SG-C1 writes the doc's four folders (unset: a fresh temporary folder); rehearsals set it
  CERT_DIR: z.string().min(1).optional(),
  // ingress address override (SG-B2): host:port
  INGRESS_ADDRESS: z
    .string()
    .regex(/^[^:\s]+:\d{1,5}$/, 'host:port, e.g. 172.18.0.2:31443')
    .refine((address) => Number(address.split(':')[1]) >= 1 && Number(address.split(':')[1]) <= 65535, 'host:port with a port from 1 to 65535, e.g. 172.18.0.2:31443')
    .optional(),
} as const;

const settingsSchema = z.object(settingsShape);
export type Settings = z.infer<typeof settingsSchema>;
export type SettingName = keyof typeof settingsShape;

/** Reads and validates the settings; throws UsageError naming the first bad one. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const picked: Record<string, string | undefined> = {};
  for (const name of Object.keys(settingsShape)) {
    const value = env[name];
    // An empty variable means "not set", as in most shells' habits.
    picked[name] = value === '' ? undefined : value;
  }
  const parsed = settingsSchema.safeParse(picked);
  if (parsed.success) return withUserPaths(parsed.data, picked, env);
  const issue = parsed.error.issues[0]!;
  const name = String(issue.path[0]);
  throw new UsageError(`setting ${name}=${JSON.stringify(picked[name])} is not accepted: ${acceptedText(issue)}`);
}

/** Settings that hold paths (KUBECONFIG: a list, as PATH): a value given is read from the user's folder. */
const PATH_SETTINGS = ['CACHE_DIR', 'REPORT_DIR', 'CERT_DIR', 'KUBECONFIG'] as const;

function withUserPaths(settings: Settings, given: Record<string, string | undefined>, env: NodeJS.ProcessEnv): Settings {
  const resolved = { ...settings };
  for (const name of PATH_SETTINGS) {
    const value = given[name];
    if (value === undefined) continue; // a default stays as it is (REPORT_DIR: the package's reports/)
    resolved[name] = value
      .split(path.delimiter)
      .map((one) => (one ? fromUserFolder(one, env) : one))
      .join(path.delimiter);
  }
  return resolved;
}

function acceptedText(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_value') return `use one of ${issue.values.map((v) => String(v)).join(', ')}`;
  // Our own rule texts (wholeNumber, regex descriptions) say what is accepted; zod's own start with a capital word.
  if (!/^(Invalid|Too (small|big))\b/.test(issue.message)) return `expected ${issue.message}`;
  if (issue.code === 'invalid_type') return `expected ${issue.expected}`;
  if (issue.code === 'too_small') return `must be at least ${String(issue.minimum)}`;
  if (issue.code === 'too_big') return `must be at most ${String(issue.maximum)}`;
  return issue.message;
}

/** The setting names with their defaults, for help texts. */
export function describeSettings(): string[] {
  const defaults = settingsSchema.parse({});
  return Object.keys(settingsShape).map((name) => {
    const value = (defaults as Record<string, unknown>)[name];
    return value === undefined ? name : `${name} (default ${String(value)})`;
  });
}
