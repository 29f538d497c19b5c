// Envoy's command line as pilot-agent builds it (pkg/envoy/proxy.go): -c <bootstrap>, --drain-time-s,
// --drain-strategy, --local-address-ip-version, --file-flush-interval-msec, --disable-hot-restart,
// --allow-unknown-static-fields, -l, --component-log-level, --config-yaml, --concurrency, ...
// Flags that do not matter here are accepted and ignored; an unknown flag is never fatal.
import { Command, CommanderError } from 'commander';

export const ENVOY_VERSION = '1.37.0';
/** A stable revision for the version line (no real Envoy commit is claimed). */
export const STAND_IN_REVISION = '7769696e2d656e766f792d7374616e642d696e30';

export interface CommandLine {
  configPath: string | null;
  configYaml: string | null;
  logLevel: string;
  componentLogLevel: string | null;
  logFormat: string | null;
  logPath: string | null;
  drainTimeSeconds: number;
  drainStrategy: string;
  parentShutdownTimeSeconds: number;
  localAddressIpVersion: 'v4' | 'v6';
  allowUnknownStaticFields: boolean;
  concurrency: number;
  serviceCluster: string | null;
  serviceNode: string | null;
  serviceZone: string | null;
  adminAddressPath: string | null;
  mode: 'serve' | 'validate' | 'init_only';
  version: boolean;
  /** What was given but not understood (reported once at startup, never fatal). */
  ignored: string[];
}

export class CommandLineError extends Error {
  override name = 'CommandLineError';
}

/** The `--version` output of Envoy: "\nenvoy  version: <sha>/<version>/Clean/RELEASE/BoringSSL\n\n". */
export function versionText(binary = 'envoy'): string {
  return `\n${binary}  version: ${STAND_IN_REVISION}/${ENVOY_VERSION}/Clean/RELEASE/BoringSSL\n\n`;
}

export function parseCommandLine(argv: string[]): CommandLine {
  const program = new Command('envoy')
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined })
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .helpOption(false)
    .option('-c, --config-path <path>')
    .option('--config-yaml <yaml>')
    .option('-l, --log-level <level>', '', 'info')
    .option('--component-log-level <levels>')
    .option('--log-format <format>')
    .option('--log-path <path>')
    .option('--log-format-escaped')
    .option('--drain-time-s <seconds>', '', '600')
    .option('--drain-strategy <strategy>', '', 'gradual')
    .option('--parent-shutdown-time-s <seconds>', '', '900')
    .option('--local-address-ip-version <version>', '', 'v4')
    .option('--file-flush-interval-msec <ms>')
    .option('--file-flush-min-size-kb <kb>')
    .option('--disable-hot-restart')
    .option('--allow-unknown-static-fields')
    .option('--reject-unknown-dynamic-fields')
    .option('--ignore-unknown-dynamic-fields')
    .option('--skip-deprecated-logs')
    .option('--enable-core-dump')
    .option('--concurrency <n>')
    .option('--service-cluster <name>')
    .option('--service-node <name>')
    .option('--service-zone <zone>')
    .option('--base-id <id>')
    .option('--use-dynamic-base-id')
    .option('--restart-epoch <n>')
    .option('--admin-address-path <path>')
    .option('--mode <mode>', '', 'serve')
    .option('--version');
  try {
    program.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) throw new CommandLineError(error.message.replace(/^error: /, ''));
    throw error;
  }
  const options = program.opts<Record<string, string | boolean | undefined>>();
  const text = (name: string): string | null => (typeof options[name] === 'string' ? (options[name] as string) : null);
  const integer = (name: string, fallback: number): number => {
    const value = Number(text(name) ?? fallback);
    if (!Number.isInteger(value) || value < 0) throw new CommandLineError(`--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} expects a whole number, got ${text(name)}`);
    return value;
  };
  const ipVersion = text('localAddressIpVersion') ?? 'v4';
  if (ipVersion !== 'v4' && ipVersion !== 'v6') throw new CommandLineError(`--local-address-ip-version must be v4 or v6, got ${ipVersion}`);
  const mode = text('mode') ?? 'serve';
  if (mode !== 'serve' && mode !== 'validate' && mode !== 'init_only') throw new CommandLineError(`--mode must be serve, validate or init_only, got ${mode}`);
  return {
    configPath: text('configPath'),
    configYaml: text('configYaml'),
    logLevel: text('logLevel') ?? 'info',
    componentLogLevel: text('componentLogLevel'),
    logFormat: text('logFormat'),
    logPath: text('logPath'),
    drainTimeSeconds: integer('drainTimeS', 600),
    drainStrategy: text('drainStrategy') ?? 'gradual',
    parentShutdownTimeSeconds: integer('parentShutdownTimeS', 900),
    localAddressIpVersion: ipVersion,
    allowUnknownStaticFields: options.allowUnknownStaticFields === true,
    concurrency: text('concurrency') === null ? 1 : integer('concurrency', 1),
    serviceCluster: text('serviceCluster'),
    serviceNode: text('serviceNode'),
    serviceZone: text('serviceZone'),
    adminAddressPath: text('adminAddressPath'),
    mode,
    version: options.version === true,
    ignored: program.args,
  };
}
