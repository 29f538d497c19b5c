// `npm run certs -- --host H --out DIR [--key-type rsa|ecdsa] [--rsa-bits N] [--ca-rsa-bits N]`:
// writes the doc's certificate chain (step SG-C1) in generate.sh's layout and says what it wrote.
// Key contents are never printed.
import { Command, InvalidArgumentError, Option } from 'commander';
import path from 'node:path';
import { runMain } from '../helpers/cli';
import { describeSettings, fromUserFolder, loadSettings, UsageError, type Settings } from '../helpers/config';
import { certificateSummary, checkLayoutTarget, docFiles, formatDn, makeDocChain, replaceDocLayout, type DocChain, type DocLayout } from '../helpers/pki';

/** A flag checked by the rule of the setting that gives its default, so the two cannot drift. */
function asSetting<N extends 'HOST' | 'KEY_TYPE' | 'RSA_BITS'>(name: N): (raw: string) => Settings[N] {
  return (raw) => {
    // An empty value would read as "unset" and quietly become the default.
    if (raw.trim() === '') throw new InvalidArgumentError('it is empty: give a value or leave the flag out');
    try {
      return loadSettings({ [name]: raw })[name];
    } catch (error) {
      if (error instanceof UsageError) throw new InvalidArgumentError(error.message.replace(/^.*? is not accepted: /, ''));
      throw error;
    }
  };
}

function parseFlags(argv: string[], settings: Settings) {
  const program = new Command('certs')
    .description("Write the doc's root, intermediate, server and client certificates (1_root … 4_client).")
    .requiredOption('--out <dir>', 'folder to write the four folders into (relative: from where you run npm)')
    .option('--force', 'replace the four folders of a layout already in --out (its root CA key included)')
    .addOption(new Option('--host <name>', 'the DNS name of the server and client certificates').argParser(asSetting('HOST')).default(settings.HOST))
    .addOption(new Option('--key-type <type>', 'rsa or ecdsa (P-256)').argParser(asSetting('KEY_TYPE')).default(settings.KEY_TYPE))
    .addOption(new Option('--rsa-bits <n>', 'RSA size of the server and client keys').argParser(asSetting('RSA_BITS')).default(settings.RSA_BITS))
    .addOption(new Option('--ca-rsa-bits <n>', "RSA size of the two CA keys (the doc's script: 4096; default: --rsa-bits)").argParser(asSetting('RSA_BITS')))
    .addHelpText('after', `\nDefaults from the environment: ${describeSettings().filter((line) => /^(HOST|KEY_TYPE|RSA_BITS)\b/.test(line)).join(', ')}`)
    .exitOverride()
    .parse(argv, { from: 'user' });
  return program.opts<{ out: string; force?: boolean; host: string; keyType: Settings['KEY_TYPE']; rsaBits: number; caRsaBits?: number }>();
}

function report(chain: DocChain, layout: DocLayout, sizes: string, elapsedMs: number): string[] {
  const relative = (file: string) => path.relative(layout.dir, file);
  const files = docFiles(layout);
  const width = Math.max(...files.map(({ cert }) => relative(cert).length));
  return [
    `wrote the doc's certificate chain for ${chain.host} (${sizes}) in ${Math.round(elapsedMs)} ms to ${layout.dir}`,
    ...files.map(({ role, cert }) => {
      const summary = certificateSummary(chain[role].certPem);
      const until = summary.notAfter.toISOString().slice(0, 10);
      return `  ${role.padEnd(12)} ${relative(cert).padEnd(width)}  serial ${summary.serialNumber}  until ${until}  ${formatDn(summary.subject)}`;
    }),
    `  ${'ca chain'.padEnd(12)} ${relative(layout.caChain).padEnd(width)}  intermediate, then root`,
    `  private keys (mode 0600): ${files.map(({ key }) => relative(key)).join(', ')}`,
  ];
}

runMain(async () => {
  const flags = parseFlags(process.argv.slice(2), loadSettings());
  const caRsaBits = flags.caRsaBits ?? flags.rsaBits;
  const out = fromUserFolder(flags.out);
  // Before the keys are made: a refusal costs nothing and writes nothing.
  await checkLayoutTarget(out, { force: flags.force, label: '--out' });
  const started = performance.now();
  const chain = await makeDocChain({ host: flags.host, keyType: flags.keyType, rsaBits: flags.rsaBits, caRsaBits });
  const layout = await replaceDocLayout(chain, out, { force: flags.force, label: '--out' });
  const sizes = flags.keyType === 'ecdsa' ? 'ECDSA P-256' : `RSA: CAs ${caRsaBits} bits, leaves ${flags.rsaBits} bits`;
  for (const line of report(chain, layout, sizes, performance.now() - started)) console.log(line);
});
