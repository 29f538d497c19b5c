// `npm run -s probe -- [curl-like flags] URL`: the doc's curl, printed as one JSON observation.
// Exit 0 for an HTTP response (any status), 1 for any other outcome, 2 for a usage mistake.
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { runMain } from '../helpers/cli';
import { describeSettings, fromUserFolder, loadSettings, TIMER_LIMIT_MS, UsageError } from '../helpers/config';
import { observationReport, parseResolve, probe, type ProbeOptions } from '../helpers/probe';

interface Flags {
  resolve?: string;
  cacert?: string;
  cert?: string;
  key?: string;
  tlsMin?: '1.2' | '1.3';
  tlsMax?: '1.2' | '1.3';
  'http1.1'?: boolean;
  timeout?: string;
  bodyLimit?: string;
}

/** The probe holds at most this much body in memory (1 GiB). */
const MAX_BODY_LIMIT = 2 ** 30;

runMain(async () => {
  const settings = loadSettings();
  const program = new Command('probe')
    .description('GET a URL over TLS the way the doc uses curl, and print what was observed as one JSON object')
    .argument('<url>', 'e.g. https://httpbin.example.com:31443/status/418')
    .option('--resolve <host:port:address>', 'dial address for that host:port only, as curl --resolve (SNI stays the host)')
    .option('--cacert <file>', 'CA certificates (PEM) to verify the server with, e.g. 2_intermediate/certs/ca-chain.cert.pem')
    .option('--cert <file>', 'client certificate (PEM), with --key')
    .option('--key <file>', 'client private key (PEM), with --cert')
    .addOption(new Option('--tls-min <version>', 'lowest TLS version offered').choices(['1.2', '1.3']))
    .addOption(new Option('--tls-max <version>', 'highest TLS version offered').choices(['1.2', '1.3']))
    .option('--http1.1', 'offer only http/1.1 in ALPN (default: h2 and http/1.1, as curl)')
    .option('--timeout <ms>', 'time allowed for the whole exchange', String(settings.REQUEST_TIMEOUT_MS))
    .option('--body-limit <bytes>', 'capture at most this many body bytes')
    .addHelpText(
      'after',
      `\nOutcomes: response (exit 0); tls-alert, untrusted, refused, unreachable, reset, timeout, dns, tls-error, http-error (exit 1).\nSettings: ${describeSettings().join(', ')}`,
    )
    .exitOverride();
  program.parse(process.argv);
  const flags = program.opts<Flags>();
  const [url] = program.args as [string];

  const options: ProbeOptions = {
    url,
    resolve: flags.resolve === undefined ? undefined : parseResolve(flags.resolve),
    ca: readPem('--cacert', flags.cacert),
    cert: readPem('--cert', flags.cert),
    key: readPem('--key', flags.key),
    names: { ca: `--cacert ${flags.cacert}`, cert: `--cert ${flags.cert}`, key: `--key ${flags.key}` },
    alpn: flags['http1.1'] ? ['http/1.1'] : undefined,
    tlsMin: flags.tlsMin,
    tlsMax: flags.tlsMax,
    timeoutMs: wholeNumber('--timeout', flags.timeout!, TIMER_LIMIT_MS),
    bodyLimit: flags.bodyLimit === undefined ? undefined : wholeNumber('--body-limit', flags.bodyLimit, MAX_BODY_LIMIT),
    acceptWindowMs: settings.PROBE_ACCEPT_WINDOW_MS,
  };
  const observation = await probe(options);
  process.stdout.write(`${JSON.stringify(observationReport(observation))}\n`);
  return observation.outcome === 'response' ? 0 : 1;
});

/** The file's text; only ever passed on to TLS, never printed. */
function readPem(flag: string, file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(fromUserFolder(file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'not readable' : code === 'EISDIR' ? 'a folder, not a file' : `cannot be read (${code ?? String(error)})`;
    throw new UsageError(`${flag} ${file}: ${why}`);
  }
}

function wholeNumber(flag: string, text: string, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(value) || value < 1 || value > max) throw new UsageError(`${flag} ${JSON.stringify(text)} is not accepted: use a whole number from 1 to ${max}`);
  return value;
}
