// `npm run bench:certs [-- --reps N]`: times the project's chain (helpers/pki) against the openssl
// command line making the same four certificates, at the doc's key sizes (RSA 4096 CAs, RSA 2048
// leaves), at the default sizes and with ECDSA, and prints medians and ratios. It also checks the
// budget of the default chain in process (< 1 s), which the tests leave alone (they check correctness).
import { Command, InvalidArgumentError } from 'commander';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runMain } from '../helpers/cli';
import { UsageError } from '../helpers/config';
import { DOC_DAYS, docFiles, docLayoutPaths, docSubjects, makeDocChain, writeDocLayout, type DocLayout, type DocRole, type KeyType } from '../helpers/pki';
import { runOpenssl } from '../helpers/pki/openssl-cli';

const HOST = 'httpbin.example.com';
const DEFAULT_CHAIN_BUDGET_MS = 1_000;

interface Scenario {
  name: string;
  keyType: KeyType;
  caBits: number;
  leafBits: number;
}

const scenarios: Scenario[] = [
  { name: 'doc sizes: RSA 4096 CAs, 2048 leaves', keyType: 'rsa', caBits: 4096, leafBits: 2048 },
  { name: 'default: RSA 2048', keyType: 'rsa', caBits: 2048, leafBits: 2048 },
  { name: 'ECDSA P-256', keyType: 'ecdsa', caBits: 0, leafBits: 0 },
];

type Column = 'projectChain' | 'projectFiles' | 'opensslSequential' | 'opensslParallel';
const columns: Array<[Column, string]> = [
  ['projectChain', 'project, in process'],
  ['projectFiles', 'project + files'],
  ['opensslSequential', 'openssl as generate.sh'],
  ['opensslParallel', 'openssl, keys in parallel'],
];

// The extensions helpers/pki writes, for `openssl req -x509 -extensions <role>`.
function opensslConfig(keyType: KeyType): string {
  const ids = 'subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always';
  const caSection = (role: DocRole, constraints: string) => `[${role}]\nbasicConstraints = critical, ${constraints}\nkeyUsage = critical, keyCertSign, cRLSign\n${ids}\n`;
  const leafUsage = keyType === 'rsa' ? 'digitalSignature, keyEncipherment' : 'digitalSignature';
  const leafSection = (role: DocRole, purpose: string) =>
    `[${role}]\nbasicConstraints = CA:false\nkeyUsage = critical, ${leafUsage}\nextendedKeyUsage = ${purpose}\nsubjectAltName = DNS:${HOST}\n${ids}\n`;
  return [
    '[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = unused\n',
    caSection('root', 'CA:true'),
    caSection('intermediate', 'CA:true, pathlen:0'),
    leafSection('server', 'serverAuth'),
    leafSection('client', 'clientAuth'),
  ].join('');
}

async function openssl(args: string[]): Promise<void> {
  const result = await runOpenssl(args);
  if (result.code !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr.trim()}`);
}

/**
 * The same four certificates with the openssl CLI. Sequential: one `req -x509 -newkey` per
 * certificate, as generate.sh goes. Parallel: the four keys by `genpkey` at once, then the certificates.
 */
async function opensslChain(layout: DocLayout, scenario: Scenario, config: string, parallelKeys: boolean): Promise<void> {
  const subjects = docSubjects(HOST);
  const files = docFiles(layout);
  const issuerOf: Record<DocRole, DocRole | undefined> = { root: undefined, intermediate: 'root', server: 'intermediate', client: 'intermediate' };
  const isCa = (role: DocRole) => role === 'root' || role === 'intermediate';
  const rsa = scenario.keyType === 'rsa';
  const certs = files.map(({ role, cert, key }) => {
    const bits = isCa(role) ? scenario.caBits : scenario.leafBits;
    const issuer = files.find((file) => file.role === issuerOf[role]);
    return {
      role,
      cert,
      key,
      subject: Object.entries(isCa(role) ? subjects[role as 'root' | 'intermediate'] : subjects.leaf).map(([name, value]) => `/${name}=${value}`).join(''),
      genpkey: rsa ? ['-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${bits}`] : ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
      newkey: rsa ? ['-newkey', `rsa:${bits}`] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
      signer: issuer ? ['-CA', issuer.cert, '-CAkey', issuer.key] : [],
    };
  });
  for (const { cert, key } of certs) {
    await mkdir(path.dirname(cert), { recursive: true });
    await mkdir(path.dirname(key), { recursive: true });
  }
  if (parallelKeys) await Promise.all(certs.map((c) => openssl(['genpkey', ...c.genpkey, '-out', c.key])));
  for (const c of certs) {
    const key = parallelKeys ? ['-key', c.key] : [...c.newkey, '-noenc', '-keyout', c.key];
    await openssl(['req', '-x509', ...key, '-out', c.cert, '-subj', c.subject, '-days', String(DOC_DAYS[c.role]), '-sha256', '-config', config, '-extensions', c.role, ...c.signer]);
  }
  await writeFile(layout.caChain, (await readFile(layout.intermediateCert, 'utf8')) + (await readFile(layout.rootCert, 'utf8')));
}

async function verifyChain(layout: DocLayout, who: string): Promise<void> {
  for (const [cert, purpose] of [
    [layout.serverCert, 'sslserver'],
    [layout.clientCert, 'sslclient'],
  ] as const) {
    const result = await runOpenssl(['verify', '-purpose', purpose, '-CAfile', layout.rootCert, '-untrusted', layout.intermediateCert, cert]);
    if (result.code !== 0) throw new Error(`${who}'s chain does not verify: ${result.stdout}${result.stderr}`);
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

async function benchScenario(scenario: Scenario, reps: number, tmp: string): Promise<Record<Column, number[]>> {
  const times: Record<Column, number[]> = { projectChain: [], projectFiles: [], opensslSequential: [], opensslParallel: [] };
  const config = path.join(tmp, `openssl-${scenario.keyType}.cnf`);
  await writeFile(config, opensslConfig(scenario.keyType));
  const chainOptions = { host: HOST, keyType: scenario.keyType, rsaBits: scenario.leafBits || undefined, caRsaBits: scenario.caBits || undefined };
  for (let rep = 0; rep < reps; rep++) {
    const dir = (name: string) => docLayoutPaths(path.join(tmp, `${scenario.keyType}-${scenario.caBits}-${rep}-${name}`), HOST);
    const project = async () => {
      const started = performance.now();
      const chain = await makeDocChain(chainOptions);
      times.projectChain.push(performance.now() - started);
      await writeDocLayout(chain, dir('project').dir);
      times.projectFiles.push(performance.now() - started);
    };
    const sequential = async () => times.opensslSequential.push(await timed(() => opensslChain(dir('sequential'), scenario, config, false)));
    const parallel = async () => times.opensslParallel.push(await timed(() => opensslChain(dir('parallel'), scenario, config, true)));
    // Rotate the order, so that neither side always runs on a machine the other just warmed or loaded.
    const order = [project, sequential, parallel];
    for (let i = 0; i < order.length; i++) await order[(i + rep) % order.length]!();
    if (rep === 0) {
      // Untimed: both made a chain that verifies, with the same purposes.
      await verifyChain(dir('project'), 'the project');
      await verifyChain(dir('sequential'), 'openssl');
      await verifyChain(dir('parallel'), 'openssl');
    }
  }
  return times;
}

function parseReps(raw: string): number {
  const reps = Number(raw);
  if (!Number.isInteger(reps) || reps < 1 || reps > 50) throw new InvalidArgumentError('a whole number from 1 to 50');
  return reps;
}

runMain(async () => {
  const { reps } = new Command('bench:certs')
    .description("Time the project's certificate chain against the openssl CLI making the same chain.")
    .option('--reps <n>', 'repetitions of each measurement', parseReps, 5)
    .exitOverride()
    .parse(process.argv.slice(2), { from: 'user' })
    .opts<{ reps: number }>();
  const version = await runOpenssl(['version']).catch(() => {
    throw new UsageError('openssl is not installed: install it (apt-get install openssl) to run this comparison');
  });

  const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-certs-'));
  try {
    await makeDocChain({ keyType: 'ecdsa' }); // warm-up: module loading and JIT are not the chain's cost
    await makeDocChain();
    const load = os.loadavg()[0]!.toFixed(1);
    console.log(`four-certificate chain, median of ${reps} runs (min-max) in ms; ${version.stdout.trim()}; ${os.cpus().length} CPUs, load average ${load} at start`);
    const header = ['scenario'.padEnd(38), ...columns.map(([, title]) => title.padStart(26)), 'openssl/project'.padStart(17)];
    console.log(header.join(''));
    let defaultChain: number[] = [];
    for (const scenario of scenarios) {
      const times = await benchScenario(scenario, reps, tmp);
      if (scenario.name.startsWith('default')) defaultChain = times.projectChain;
      const cell = (values: number[]) => `${Math.round(median(values))} (${Math.round(Math.min(...values))}-${Math.round(Math.max(...values))})`.padStart(26);
      const ratio = (column: Column) => (median(times[column]) / median(times.projectFiles)).toFixed(1);
      console.log([scenario.name.padEnd(38), ...columns.map(([column]) => cell(times[column])), `${ratio('opensslSequential')}x / ${ratio('opensslParallel')}x`.padStart(17)].join(''));
    }
    console.log('openssl/project: openssl as generate.sh / openssl with parallel keys, each against project + files');
    const defaultMedian = median(defaultChain);
    const verdict = defaultMedian < DEFAULT_CHAIN_BUDGET_MS ? 'within' : 'OVER';
    console.log(`default chain in process: median ${Math.round(defaultMedian)} ms, max ${Math.round(Math.max(...defaultChain))} ms: ${verdict} the ${DEFAULT_CHAIN_BUDGET_MS} ms budget`);
    return defaultMedian < DEFAULT_CHAIN_BUDGET_MS ? 0 : 1;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});
