// Bad input, as a new user gives it, to every command: each case is a command with its flags and
// settings, the exact exit code, the one line it must print (and no stack trace), and the file
// system left exactly as it was. Every new flag or setting adds its rows here.
// The cases run as separate processes, two at a time (the machine has two cores), in beforeAll;
// each test then checks one case's outcome. Nothing here needs root, the network beyond loopback,
// Docker, the twin or a build: TARGET=twin cases are refused before any target work.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { docLayoutPaths, makeDocChain, writeDocLayout } from '../helpers/pki';
import { secureGatewaysStepIds } from '../suites/secure-gateways/entry';
import { runEntryPoint, type EntryPointRun } from '../helpers/testing/run-entry-point';
import { tempDirs } from '../helpers/testing/temp-dirs';

interface Case {
  /** Shown in the test's title. */
  name: string;
  script: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** The folder npm was run in (INIT_CWD); default the package's. */
  initCwd?: string;
  code: number;
  /** The one line on stderr. */
  line: RegExp;
  /** At most this long (ms), for the cases that must not hang or wait. */
  within?: number;
}

const makeTemp = tempDirs();
const tmp = makeTemp('bad-input-');
const at = (...parts: string[]) => path.join(tmp, ...parts);
const servers: net.Server[] = [];
const layout = docLayoutPaths(at('layout'), 'httpbin.example.com');
// The silent TCP server's port is known only once it listens: cases name it by this placeholder.
const SILENT_TCP = 'silent-tcp';
let silentTcp = '';

// The settings of the parent (a developer's TARGET, KUBECONFIG, …) must not leak into a case.
const SETTING_NAMES = /^(TARGET|KUBECONFIG|KUBE_CONTEXT|ALLOW_CONTEXT|LOCK_WAIT_MS|GATEWAY_|CACHE_DIR|REPORT_DIR|TWIN_|PROFILE|ISTIO|KIND_|KEEP_CLUSTER|TOOLS_BASE_URL|HOST|KEY_TYPE|RSA_BITS|WAIT_BUDGET_MS|REQUEST_TIMEOUT_MS|TLS_MAX|PROBE_ACCEPT_WINDOW_MS|CONVERGE|ONLY_STEPS|STOP_AT_FIRST_FAILURE|STEP_RESULTS_FILE|CERT_DIR|INGRESS_ADDRESS|DOCKER_HOST)$/;
function baseEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !SETTING_NAMES.test(name)));
  return { ...env, CACHE_DIR: at('cache'), REPORT_DIR: at('reports'), DOCKER_HOST: `unix://${at('no-docker.sock')}` };
}

/** Every path under dir with its kind, mode, size and mtime: any write shows. */
function snapshot(dir: string): Record<string, string> {
  const seen: Record<string, string> = {};
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder)) {
      const file = path.join(folder, entry);
      const stat = lstatSync(file);
      seen[path.relative(dir, file)] = `${stat.mode.toString(8)} ${stat.size} ${stat.mtimeMs}`;
      if (stat.isDirectory()) walk(file);
    }
  };
  walk(dir);
  return seen;
}

function kubeconfig(name: string, cluster: Record<string, unknown>, user: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  const file = at('kube', name);
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1', ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'kind-test', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'kind-test',
    ...extra,
  };
  writeFileSync(file, JSON.stringify(config));
  return file;
}

async function listen(server: net.Server, where: number | string): Promise<void> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(where as number, '127.0.0.1', resolve));
}

/** A server that accepts and never says a word (a Docker endpoint that hangs). */
const held: net.Socket[] = [];
function silentServer(): net.Server {
  return net.createServer((socket) => void held.push(socket));
}

const certs = 'scripts/certs.ts';
const probe = 'scripts/probe.ts';
const npmTest = 'scripts/conformance.ts';
const cleanup = 'scripts/cleanup.ts';
const clusterUp = 'scripts/cluster-up.ts';
const URL = 'https://httpbin.example.com:1/';
const setting = (name: string, value: string, accepted: RegExp | string): Case => ({
  name: `setting ${name}=${JSON.stringify(value)}`,
  script: npmTest,
  env: { TARGET: 'twin', [name]: value },
  code: 2,
  // A string is the whole accepted text; a RegExp its start.
  line: new RegExp(`^error: setting ${name}=${JSON.stringify(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not accepted: ${typeof accepted === 'string' ? `${accepted}$` : accepted.source}`),
});
const ms = (min: number, max: number) => `expected a whole number from ${min} to ${max} \\(milliseconds\\)`;
const existing = (name: string, env: NodeJS.ProcessEnv, line: RegExp): Case => ({ name: `TARGET=existing: ${name}`, script: npmTest, env: { TARGET: 'existing', ...env }, code: 2, line });

function cases(): Case[] {
  const known = secureGatewaysStepIds();
  const knownList = known.join(', ').replace(/[-]/g, '\\-');
  const f = (name: string) => at('files', name);
  const probeWith = (...args: string[]) => [...args, URL];
  return [
    // npm test: flags, checked before any target work (TARGET=kind with a Docker that hangs would take seconds)
    { name: 'npm test --only SG-ZZ: unknown step, lists the known ones', script: npmTest, args: ['--only', 'SG-ZZ'], env: { TARGET: 'kind', DOCKER_HOST: SILENT_TCP }, code: 2, line: new RegExp(`^error: --only: unknown step SG-ZZ; the catalogue's steps are ${knownList}$`), within: 20_000 },
    { name: 'npm test --catalogue nope: unknown catalogue, lists the known ones', script: npmTest, args: ['--catalogue', 'nope'], env: { TARGET: 'twin' }, code: 2, line: /^error: --catalogue: unknown catalogue "nope"; the catalogues are secure-gateways, secure-gateways-sds$/ },
    { name: 'npm test --only sg-s4 (lowercase)', script: npmTest, args: ['--only', 'sg-s4'], env: { TARGET: 'twin' }, code: 2, line: /^error: --only: unknown step sg-s4; the catalogue's steps are SG-/ },
    { name: 'npm test --only SG-S4, (trailing comma)', script: npmTest, args: ['--only', 'SG-S4,'], env: { TARGET: 'twin' }, code: 2, line: /^error: --only "SG-S4," is not accepted: give comma-separated step IDs, e\.g\. SG-\w+,SG-\w+; the catalogue's steps are / },
    { name: 'npm test --only "" (empty)', script: npmTest, args: ['--only', ''], env: { TARGET: 'twin' }, code: 2, line: /^error: --only "" is not accepted: give comma-separated step IDs/ },
    { name: 'npm test --only SG-S4,SG-QQ,SG-M3', script: npmTest, args: ['--only', 'SG-S4,SG-QQ,SG-M3'], env: { TARGET: 'twin' }, code: 2, line: /^error: --only: unknown step SG-QQ; / },
    { name: 'npm test --only without a value', script: npmTest, args: ['--only'], code: 2, line: /^error: option '--only <ids>' argument missing$/ },
    { name: 'npm test --bogus', script: npmTest, args: ['--bogus'], code: 2, line: /^error: unknown option '--bogus'$/ },
    { name: 'npm test extra argument', script: npmTest, args: ['now'], code: 2, line: /^error: too many arguments\. Expected 0 arguments but got 1: now\.$/ },
    // npm test --repeat N: a whole number of runs, 1 to 100, checked before the target is chosen (a Docker that hangs would take seconds)
    { name: 'npm test --repeat 0', script: npmTest, args: ['--repeat', '0'], env: { TARGET: 'kind', DOCKER_HOST: SILENT_TCP }, code: 2, line: /^error: --repeat "0" is not accepted: give how many times to run the catalogue, a whole number from 1 to 100$/, within: 20_000 },
    { name: 'npm test --repeat 101', script: npmTest, args: ['--repeat', '101'], env: { TARGET: 'twin' }, code: 2, line: /^error: --repeat "101" is not accepted: give how many times to run the catalogue, a whole number from 1 to 100$/ },
    { name: 'npm test --repeat 2.5', script: npmTest, args: ['--repeat', '2.5'], env: { TARGET: 'twin' }, code: 2, line: /^error: --repeat "2\.5" is not accepted: / },
    { name: 'npm test --repeat three', script: npmTest, args: ['--repeat', 'three'], env: { TARGET: 'twin' }, code: 2, line: /^error: --repeat "three" is not accepted: / },
    { name: 'npm test --repeat=-3', script: npmTest, args: ['--repeat=-3'], env: { TARGET: 'twin' }, code: 2, line: /^error: --repeat "-3" is not accepted: / },
    { name: 'npm test --repeat "" (empty)', script: npmTest, args: ['--repeat', ''], env: { TARGET: 'twin' }, code: 2, line: /^error: --repeat "" is not accepted: / },
    { name: 'npm test --repeat without a value', script: npmTest, args: ['--repeat'], code: 2, line: /^error: option '--repeat <n>' argument missing$/ },
    { name: 'npm test --repeat 3 with a bad setting: the setting is named', script: npmTest, args: ['--repeat', '3'], env: { TARGET: 'twin', WAIT_BUDGET_MS: 'soon' }, code: 2, line: /^error: setting WAIT_BUDGET_MS="soon" is not accepted: / },
    { name: 'npm test ONLY_STEPS=SG-ZZ', script: npmTest, env: { TARGET: 'twin', ONLY_STEPS: 'SG-ZZ' }, code: 2, line: /^error: setting ONLY_STEPS: unknown step SG-ZZ; the catalogue's steps are / },
    // npm test: choosing the target
    { name: 'TARGET=kind, Docker accepts on TCP and never answers', script: npmTest, env: { TARGET: 'kind', DOCKER_HOST: SILENT_TCP }, code: 2, line: /^error: TARGET=kind needs a Docker daemon that answers: `docker info` gave no answer within 5\.0 s\. Instead, use TARGET=existing .* or TARGET=twin/, within: 20_000 },
    { name: 'TARGET=kind, Docker accepts on a Unix socket and never answers', script: npmTest, env: { TARGET: 'kind', DOCKER_HOST: `unix://${at('silent.sock')}` }, code: 2, line: /^error: TARGET=kind needs a Docker daemon that answers: `docker info` gave no answer within 5\.0 s\./, within: 20_000 },
    { name: 'TARGET=kind, no Docker socket', script: npmTest, env: { TARGET: 'kind' }, code: 2, line: /^error: TARGET=kind needs a Docker daemon that answers: .*Instead, use TARGET=existing/, within: 20_000 },
    { name: 'cluster:up, Docker never answers', script: clusterUp, env: { DOCKER_HOST: SILENT_TCP }, code: 2, line: /^error: TARGET=kind needs a Docker daemon that answers: `docker info` gave no answer within 5\.0 s\./, within: 20_000 },
    existing('KUBECONFIG that does not exist', { KUBECONFIG: at('kube', 'missing.yaml') }, /^error: kubeconfig \S+missing\.yaml does not exist: point KUBECONFIG at a kubeconfig file$/),
    existing('KUBECONFIG relative, from INIT_CWD', { KUBECONFIG: 'kube/missing.yaml' }, new RegExp(`^error: kubeconfig ${tmp.replace(/[.]/g, '\\.')}/kube/missing\\.yaml does not exist`)),
    existing('KUBECONFIG that is not YAML', { KUBECONFIG: f('garbage.txt') }, /^error: kubeconfig \S+garbage\.txt cannot be read: /),
    existing('KUBECONFIG with no current-context', { KUBECONFIG: at('kube', 'no-current.yaml') }, /^error: kubeconfig \S+no-current\.yaml sets no current-context: name a context \(its contexts: kind-test\)$/),
    existing('KUBE_CONTEXT that is not there', { KUBECONFIG: at('kube', 'ca-missing.yaml'), KUBE_CONTEXT: 'kind-other' }, /^error: context "kind-other" is not in kubeconfig \S+; its contexts: kind-test$/),
    existing('a context whose cluster is not defined', { KUBECONFIG: at('kube', 'no-cluster.yaml') }, /^error: context "kind-test" in kubeconfig \S+ names cluster "elsewhere", which the kubeconfig does not define$/),
    existing('a missing certificate-authority file', { KUBECONFIG: at('kube', 'ca-missing.yaml') }, /^error: context "kind-test" in kubeconfig \S+ names certificate-authority file \S+\/kube\/no-ca\.crt, which does not exist; fix the path or use certificate-authority-data$/),
    existing('a missing client-certificate file', { KUBECONFIG: at('kube', 'cert-missing.yaml') }, /^error: context "kind-test" in kubeconfig \S+ names client-certificate file \S+\/kube\/no-client\.crt, which does not exist/),
    existing('a missing client-key file', { KUBECONFIG: at('kube', 'key-missing.yaml') }, /^error: context "kind-test" in kubeconfig \S+ names client-key file \S+\/kube\/no-client\.key, which does not exist/),
    existing('an exec plugin not on PATH', { KUBECONFIG: at('kube', 'exec-missing.yaml') }, /^error: context "kind-test" in kubeconfig \S+ runs the credential plugin "no-such-auth-plugin" \(users\[\]\.user\.exec\), which is not on PATH; install it or choose another context$/),
    existing('an exec plugin path that is not there', { KUBECONFIG: at('kube', 'exec-path.yaml') }, /^error: context "kind-test" in kubeconfig \S+ runs the credential plugin "\.\/bin\/auth" \(users\[\]\.user\.exec\), which is not an executable file; /),
    { name: 'cleanup: KUBECONFIG that does not exist', script: cleanup, env: { KUBECONFIG: at('kube', 'missing.yaml') }, code: 2, line: /^error: kubeconfig \S+missing\.yaml does not exist: point KUBECONFIG at a kubeconfig file$/ },
    { name: 'cleanup: a missing certificate-authority file', script: cleanup, env: { KUBECONFIG: at('kube', 'ca-missing.yaml') }, code: 2, line: /^error: context "kind-test" in kubeconfig \S+ names certificate-authority file / },
    { name: 'cleanup: an exec plugin not on PATH', script: cleanup, env: { KUBECONFIG: at('kube', 'exec-missing.yaml') }, code: 2, line: /runs the credential plugin "no-such-auth-plugin"/ },
    { name: 'cleanup --bogus', script: cleanup, args: ['--bogus'], code: 2, line: /^error: unknown option '--bogus'$/ },
    { name: 'cleanup extra argument', script: cleanup, args: ['all'], code: 2, line: /^error: too many arguments/ },
    { name: 'cleanup LOCK_WAIT_MS=-1', script: cleanup, env: { LOCK_WAIT_MS: '-1' }, code: 2, line: new RegExp(`^error: setting LOCK_WAIT_MS="-1" is not accepted: ${ms(0, 3600000)}$`) },
    // settings: one row each (npm test reads them all first)
    setting('TARGET', 'prod', 'use one of auto, kind, existing, twin'),
    setting('LOCK_WAIT_MS', '-1', ms(0, 3600000)),
    setting('LOCK_WAIT_MS', '3600001', ms(0, 3600000)),
    setting('LOCK_WAIT_MS', '1.5', ms(0, 3600000)),
    setting('LOCK_WAIT_MS', 'forever', ms(0, 3600000)),
    setting('GATEWAY_NAMESPACE', 'Istio_System', 'expected a namespace name'),
    setting('GATEWAY_SERVICE', '-gateway', 'expected a Service name'),
    setting('TWIN_ISTIO', '../1.31', 'expected a release name from twin/versions.json'),
    setting('TWIN_VOLUME_SYNC_MS', '600001', ms(0, 600000)),
    setting('TWIN_VOLUME_SYNC_MS', '-5', ms(0, 600000)),
    setting('TWIN_RESTART_BACKOFF_MS', '300001', ms(0, 300000)),
    setting('PROFILE', 'mtls', 'use one of auto, file-mount, sds'),
    setting('ISTIO_VERSION', '1.30', 'expected an Istio release, e.g. 1.30.4'),
    setting('ISTIO_VERSION', 'v1.30.4', 'expected an Istio release, e.g. 1.30.4'),
    setting('KIND_VERSION', '0.33.0', 'expected a kind release, e.g. v0.33.0'),
    setting('KIND_NODE_IMAGE', 'kindest/node', /expected an image reference, e\.g\. kindest\/node:v1\.36\.4@sha256:…/),
    setting('KIND_CLUSTER_NAME', 'My_Cluster', 'expected a lowercase DNS label'),
    setting('KIND_HTTPS_HOST_PORT', '0', 'expected a whole number from 1 to 65535 \\(a TCP port\\)'),
    setting('KIND_HTTPS_HOST_PORT', '65536', 'expected a whole number from 1 to 65535 \\(a TCP port\\)'),
    setting('KIND_HTTPS_HOST_PORT', 'https', 'expected a whole number from 1 to 65535 \\(a TCP port\\)'),
    setting('KEEP_CLUSTER', 'yes', 'use one of true, false'),
    setting('TOOLS_BASE_URL', 'ftp://mirror.example.com', 'expected an http\\(s\\) URL, e\\.g\\. https://github\\.com'),
    setting('KIND_SHA256', 'abc', 'expected 64 lowercase hex digits'),
    setting('ISTIOCTL_SHA256', 'A'.repeat(64), 'expected 64 lowercase hex digits'),
    setting('HOST', 'bad host', /expected a DNS name: labels of 1 to 63 letters, digits or hyphens \(not at either end\), dot-separated, 253 characters at most/),
    setting('HOST', `${'a'.repeat(64)}.example.com`, /expected a DNS name: labels of 1 to 63/),
    setting('HOST', 'httpbin..example.com', /expected a DNS name/),
    setting('HOST', '-httpbin.example.com', /expected a DNS name/),
    setting('HOST', `${'abcdefghi.'.repeat(26)}com`, /expected a DNS name: .*253 characters at most/),
    setting('KEY_TYPE', 'dsa', 'use one of rsa, ecdsa'),
    setting('RSA_BITS', '1024', 'expected 2048, 3072 or 4096'),
    setting('RSA_BITS', 'big', 'expected 2048, 3072 or 4096'),
    setting('WAIT_BUDGET_MS', '0', ms(1, 2147483647)),
    setting('WAIT_BUDGET_MS', '2147483648', ms(1, 2147483647)),
    setting('WAIT_BUDGET_MS', 'soon', ms(1, 2147483647)),
    setting('WAIT_BUDGET_MS', '-1', ms(1, 2147483647)),
    setting('REQUEST_TIMEOUT_MS', '0', ms(1, 2147483647)),
    setting('REQUEST_TIMEOUT_MS', '1e10', ms(1, 2147483647)),
    setting('REQUEST_TIMEOUT_MS', '2.5', ms(1, 2147483647)),
    setting('TLS_MAX', '1.1', 'use one of 1\\.2, 1\\.3'),
    setting('PROBE_ACCEPT_WINDOW_MS', '-1', ms(0, 60000)),
    setting('PROBE_ACCEPT_WINDOW_MS', '60001', ms(0, 60000)),
    setting('CONVERGE', '0', 'expected a whole number from 1 to 20 \\(passes in a row\\)'),
    setting('CONVERGE', '21', 'expected a whole number from 1 to 20 \\(passes in a row\\)'),
    setting('ONLY_STEPS', 'sg-s4', 'expected comma-separated step IDs, e\\.g\\. SG-S4,SG-M3'),
    setting('ONLY_STEPS', 'SG-S4,,SG-M3', 'expected comma-separated step IDs, e\\.g\\. SG-S4,SG-M3'),
    setting('STOP_AT_FIRST_FAILURE', 'yes', 'use one of 0, 1, true, false'),
    setting('INGRESS_ADDRESS', 'example', /expected host:port, e\.g\. 172\.18\.0\.2:31443/),
    setting('INGRESS_ADDRESS', '10.0.0.2:99999', /expected host:port with a port from 1 to 65535/),
    setting('INGRESS_ADDRESS', '10.0.0.2:0', /expected host:port with a port from 1 to 65535/),
    // certs: flags
    { name: 'certs --rsa-bits 1024', script: certs, args: ['--out', at('never'), '--rsa-bits', '1024'], code: 2, line: /^error: option '--rsa-bits <n>' argument '1024' is invalid\. expected 2048, 3072 or 4096$/ },
    { name: 'certs --rsa-bits abc', script: certs, args: ['--out', at('never'), '--rsa-bits', 'abc'], code: 2, line: /^error: option '--rsa-bits <n>' argument 'abc' is invalid\. expected 2048, 3072 or 4096$/ },
    { name: 'certs --rsa-bits ""', script: certs, args: ['--out', at('never'), '--rsa-bits', ''], code: 2, line: /^error: option '--rsa-bits <n>' argument '' is invalid\. it is empty: give a value or leave the flag out$/ },
    { name: 'certs --ca-rsa-bits 512', script: certs, args: ['--out', at('never'), '--ca-rsa-bits', '512'], code: 2, line: /^error: option '--ca-rsa-bits <n>' argument '512' is invalid\. expected 2048, 3072 or 4096$/ },
    { name: 'certs --key-type dsa', script: certs, args: ['--out', at('never'), '--key-type', 'dsa'], code: 2, line: /^error: option '--key-type <type>' argument 'dsa' is invalid\. use one of rsa, ecdsa$/ },
    { name: 'certs --key-type RSA', script: certs, args: ['--out', at('never'), '--key-type', 'RSA'], code: 2, line: /^error: option '--key-type <type>' argument 'RSA' is invalid\. use one of rsa, ecdsa$/ },
    { name: 'certs --key-type ""', script: certs, args: ['--out', at('never'), '--key-type', ''], code: 2, line: /argument '' is invalid\. it is empty/ },
    { name: 'certs --host "not a host"', script: certs, args: ['--out', at('never'), '--host', 'not a host'], code: 2, line: /^error: option '--host <name>' argument 'not a host' is invalid\. expected a DNS name: / },
    { name: 'certs --host with a 64-character label', script: certs, args: ['--out', at('never'), '--host', `${'a'.repeat(64)}.example.com`], code: 2, line: /^error: option '--host <name>' argument 'a{64}\.example\.com' is invalid\. expected a DNS name: labels of 1 to 63/, within: 20_000 },
    { name: 'certs --host ending in a hyphen', script: certs, args: ['--out', at('never'), '--host', 'httpbin-.example.com'], code: 2, line: /is invalid\. expected a DNS name/ },
    { name: 'certs --host with an underscore', script: certs, args: ['--out', at('never'), '--host', 'http_bin.example.com'], code: 2, line: /is invalid\. expected a DNS name/ },
    { name: 'certs --host an IPv6 address', script: certs, args: ['--out', at('never'), '--host', '::1'], code: 2, line: /argument '::1' is invalid\. expected a DNS name/ },
    { name: 'certs --host ""', script: certs, args: ['--out', at('never'), '--host', ''], code: 2, line: /^error: option '--host <name>' argument '' is invalid\. it is empty/ },
    { name: 'certs without --out', script: certs, args: ['--host', 'a.example.com'], code: 2, line: /^error: required option '--out <dir>' not specified$/ },
    { name: 'certs --out without a value', script: certs, args: ['--out'], code: 2, line: /^error: option '--out <dir>' argument missing$/ },
    { name: 'certs --colour', script: certs, args: ['--out', at('never'), '--colour'], code: 2, line: /^error: unknown option '--colour'$/ },
    { name: 'certs extra argument', script: certs, args: ['--out', at('never'), 'now'], code: 2, line: /^error: too many arguments/ },
    { name: 'certs HOST setting bad', script: certs, args: ['--out', at('never')], env: { HOST: 'bad host' }, code: 2, line: /^error: setting HOST="bad host" is not accepted: expected a DNS name/ },
    { name: 'certs RSA_BITS setting bad', script: certs, args: ['--out', at('never')], env: { RSA_BITS: '1000' }, code: 2, line: /^error: setting RSA_BITS="1000" is not accepted: expected 2048, 3072 or 4096$/ },
    { name: 'certs KEY_TYPE setting bad', script: certs, args: ['--out', at('never')], env: { KEY_TYPE: 'ed25519' }, code: 2, line: /^error: setting KEY_TYPE="ed25519" is not accepted: use one of rsa, ecdsa$/ },
    // certs: where it writes
    { name: 'certs --out an existing layout, no --force', script: certs, args: ['--out', layout.dir, '--key-type', 'ecdsa'], code: 2, line: /^error: --out \S+\/layout already holds a certificate layout \(1_root, 2_intermediate, 3_application, 4_client\); add --force to replace it, root CA key included, or name another folder$/ },
    { name: 'certs --out a folder with only 1_root', script: certs, args: ['--out', at('partial'), '--key-type', 'ecdsa'], code: 2, line: /^error: --out \S+\/partial already holds a certificate layout \(1_root\); add --force/ },
    { name: 'certs --out relative, from INIT_CWD', script: certs, args: ['--out', 'layout', '--key-type', 'ecdsa'], code: 2, line: new RegExp(`^error: --out ${tmp.replace(/[.]/g, '\\.')}/layout already holds a certificate layout`) },
    { name: 'certs --out a file', script: certs, args: ['--out', f('afile'), '--key-type', 'ecdsa'], code: 2, line: /^error: --out \S+\/afile: it is a file, not a folder; name a folder$/ },
    { name: 'certs --out under a file', script: certs, args: ['--out', path.join(f('afile'), 'sub'), '--key-type', 'ecdsa'], code: 2, line: /^error: --out \S+\/afile\/sub: a part of it is a file, not a folder; name a folder$/ },
    { name: 'certs --out two levels under a file', script: certs, args: ['--out', path.join(f('afile'), 'a', 'b'), '--key-type', 'ecdsa'], code: 2, line: /^error: --out \S+\/afile\/a\/b: a part of it is a file, not a folder/ },
    { name: 'certs --out under /proc: no hang', script: certs, args: ['--out', '/proc/bad-input-test', '--key-type', 'ecdsa'], code: 2, line: /^error: --out \/proc\/bad-input-test: \/proc is a special file system where folders cannot be made; name a folder you can write$/, within: 20_000 },
    { name: 'certs --out deep under /proc: no hang', script: certs, args: ['--out', '/proc/bad-input-test/a/b', '--key-type', 'ecdsa'], code: 2, line: /^error: --out \/proc\/bad-input-test\/a\/b: \/proc is a special file system/, within: 20_000 },
    { name: 'certs --out under /sys: no hang', script: certs, args: ['--out', '/sys/bad-input-test', '--key-type', 'ecdsa'], code: 2, line: /^error: --out \/sys\/bad-input-test: /, within: 20_000 },
    { name: 'certs --out /proc/self (an existing procfs folder)', script: certs, args: ['--out', '/proc/self/bad', '--key-type', 'ecdsa'], code: 2, line: /^error: --out \/proc\/self\/bad: /, within: 20_000 },
    // probe: flags
    { name: 'probe without a URL', script: probe, code: 2, line: /^error: missing required argument 'url'$/ },
    { name: 'probe a host without a scheme', script: probe, args: ['httpbin.example.com'], code: 2, line: /^error: URL "httpbin\.example\.com" is not a URL, e\.g\. https:\/\/httpbin\.example\.com:31443\/status\/418$/ },
    { name: 'probe http://', script: probe, args: ['http://httpbin.example.com/'], code: 2, line: /^error: URL "http:\/\/httpbin\.example\.com\/" is not https: the probe speaks TLS only$/ },
    { name: 'probe two URLs', script: probe, args: [URL, URL], code: 2, line: /^error: too many arguments/ },
    { name: 'probe --resolve without the address', script: probe, args: probeWith('--resolve', 'httpbin.example.com:1'), code: 2, line: /^error: --resolve "httpbin\.example\.com:1" is not host:port:address, e\.g\. / },
    { name: 'probe --resolve port 0', script: probe, args: probeWith('--resolve', 'httpbin.example.com:0:127.0.0.1'), code: 2, line: /^error: --resolve "httpbin\.example\.com:0:127\.0\.0\.1" is not host:port:address/ },
    { name: 'probe --resolve port 70000', script: probe, args: probeWith('--resolve', 'httpbin.example.com:70000:127.0.0.1'), code: 2, line: /^error: --resolve ".*:70000:127\.0\.0\.1" is not host:port:address/ },
    { name: 'probe --resolve a name as the address', script: probe, args: probeWith('--resolve', 'httpbin.example.com:1:localhost'), code: 2, line: /^error: resolve address "localhost" is not an IP address$/ },
    { name: 'probe --tls-max 1.1', script: probe, args: probeWith('--tls-max', '1.1'), code: 2, line: /^error: option '--tls-max <version>' argument '1\.1' is invalid\. Allowed choices are 1\.2, 1\.3\.$/ },
    { name: 'probe --tls-min 1.3 --tls-max 1.2', script: probe, args: probeWith('--tls-min', '1.3', '--tls-max', '1.2'), code: 2, line: /^error: TLS min 1\.3 is above TLS max 1\.2: no version could be negotiated$/ },
    { name: 'probe --timeout 0', script: probe, args: probeWith('--timeout', '0'), code: 2, line: /^error: --timeout "0" is not accepted: use a whole number from 1 to 2147483647$/ },
    { name: 'probe --timeout=-5', script: probe, args: probeWith('--timeout=-5'), code: 2, line: /^error: --timeout "-5" is not accepted: use a whole number from 1 to 2147483647$/ },
    { name: 'probe --timeout soon', script: probe, args: probeWith('--timeout', 'soon'), code: 2, line: /^error: --timeout "soon" is not accepted/ },
    { name: 'probe --timeout 1.5', script: probe, args: probeWith('--timeout', '1.5'), code: 2, line: /^error: --timeout "1\.5" is not accepted/ },
    { name: 'probe --timeout above the timer limit', script: probe, args: probeWith('--timeout', '3000000000'), code: 2, line: /^error: --timeout "3000000000" is not accepted: use a whole number from 1 to 2147483647$/ },
    { name: 'probe --body-limit 0', script: probe, args: probeWith('--body-limit', '0'), code: 2, line: /^error: --body-limit "0" is not accepted: use a whole number from 1 to 1073741824$/ },
    { name: 'probe --body-limit 1e30', script: probe, args: probeWith('--body-limit', '1e30'), code: 2, line: /^error: --body-limit "1e30" is not accepted/ },
    { name: 'probe --insecure (not a probe flag)', script: probe, args: probeWith('--insecure'), code: 2, line: /^error: unknown option '--insecure'$/ },
    { name: 'probe REQUEST_TIMEOUT_MS=0', script: probe, args: [URL], env: { REQUEST_TIMEOUT_MS: '0' }, code: 2, line: new RegExp(`^error: setting REQUEST_TIMEOUT_MS="0" is not accepted: ${ms(1, 2147483647)}$`) },
    { name: 'probe PROBE_ACCEPT_WINDOW_MS=abc', script: probe, args: [URL], env: { PROBE_ACCEPT_WINDOW_MS: 'abc' }, code: 2, line: new RegExp(`^error: setting PROBE_ACCEPT_WINDOW_MS="abc" is not accepted: ${ms(0, 60000)}$`) },
    // probe: files
    { name: 'probe --cert without --key', script: probe, args: probeWith('--cert', layout.clientCert), code: 2, line: /^error: a client certificate needs its key and a key its certificate: give both --cert and --key, or neither$/ },
    { name: 'probe --key without --cert', script: probe, args: probeWith('--key', layout.clientKey), code: 2, line: /give both --cert and --key, or neither$/ },
    { name: 'probe --cacert that does not exist', script: probe, args: probeWith('--cacert', f('nope.pem')), code: 2, line: /^error: --cacert \S+nope\.pem: no such file$/ },
    { name: 'probe --cacert a folder', script: probe, args: probeWith('--cacert', at('files')), code: 2, line: /^error: --cacert \S+\/files: a folder, not a file$/ },
    { name: 'probe --cacert an empty file', script: probe, args: probeWith('--cacert', f('empty.pem')), code: 2, line: /^error: --cacert \S+empty\.pem: expected CA certificates \(PEM\), but it is empty$/ },
    { name: 'probe --cacert relative, from INIT_CWD', script: probe, args: probeWith('--cacert', 'files/empty.pem'), code: 2, line: /^error: --cacert files\/empty\.pem: expected CA certificates \(PEM\), but it is empty$/ },
    { name: 'probe --cacert a private key', script: probe, args: probeWith('--cacert', layout.rootKey), code: 2, line: /^error: --cacert \S+ca\.key\.pem: holds a private key, not CA certificates; were --cert and --key swapped\? Certificates are in the layout's certs\/ folder$/ },
    { name: 'probe --cacert DER', script: probe, args: probeWith('--cacert', f('ca.der')), code: 2, line: /^error: --cacert \S+ca\.der: expected CA certificates \(PEM\), but it looks binary \(DER\?\): convert it with openssl/ },
    { name: 'probe --cacert a text file', script: probe, args: probeWith('--cacert', f('garbage.txt')), code: 2, line: /^error: --cacert \S+garbage\.txt: expected CA certificates \(PEM\), but it holds no PEM block$/ },
    { name: 'probe --cacert a broken certificate', script: probe, args: probeWith('--cacert', f('broken.cert.pem')), code: 2, line: /^error: --cacert \S+broken\.cert\.pem: the certificate cannot be read \(/ },
    { name: 'probe --cert that does not exist', script: probe, args: probeWith('--cert', f('nope.cert.pem'), '--key', layout.clientKey), code: 2, line: /^error: --cert \S+nope\.cert\.pem: no such file$/ },
    { name: 'probe --key that does not exist', script: probe, args: probeWith('--cert', layout.clientCert, '--key', f('nope.key.pem')), code: 2, line: /^error: --key \S+nope\.key\.pem: no such file$/ },
    { name: 'probe --cert and --key swapped', script: probe, args: probeWith('--cert', layout.clientKey, '--key', layout.clientCert), code: 2, line: /^error: --cert \S+\.key\.pem: holds a private key, not a client certificate; were --cert and --key swapped\?/ },
    { name: 'probe --key a certificate', script: probe, args: probeWith('--cert', layout.clientCert, '--key', layout.serverCert), code: 2, line: /^error: --key \S+3_application\/certs\/\S+: holds a certificate, not a private key; were --cert and --key swapped\? The key is in the layout's private\/ folder$/ },
    { name: 'probe --key a public key', script: probe, args: probeWith('--cert', layout.clientCert, '--key', f('client.pub.pem')), code: 2, line: /^error: --key \S+client\.pub\.pem: holds a public key; the probe needs the private key \(the layout's private\/\*\.key\.pem\)$/ },
    { name: 'probe --key encrypted (PKCS#8)', script: probe, args: probeWith('--cert', layout.clientCert, '--key', f('encrypted.key.pem')), code: 2, line: /^error: --key \S+encrypted\.key\.pem: the private key is encrypted with a passphrase, which the probe cannot ask for; decrypt a copy with openssl pkey/ },
    { name: 'probe --key encrypted (traditional PEM)', script: probe, args: probeWith('--cert', f('rsa.cert.pem'), '--key', f('encrypted-rsa.key.pem')), code: 2, line: /^error: --key \S+encrypted-rsa\.key\.pem: the private key is encrypted with a passphrase/ },
    { name: 'probe --key an empty file', script: probe, args: probeWith('--cert', layout.clientCert, '--key', f('empty.pem')), code: 2, line: /^error: --key \S+empty\.pem: expected a private key \(PEM\), but it is empty$/ },
    { name: 'probe --key a broken key', script: probe, args: probeWith('--cert', layout.clientCert, '--key', f('broken.key.pem')), code: 2, line: /^error: --key \S+broken\.key\.pem: the private key cannot be read \(/ },
    { name: 'probe RSA certificate with an ECDSA key', script: probe, args: probeWith('--cert', f('rsa.cert.pem'), '--key', layout.clientKey), code: 2, line: /^error: --cert \S+rsa\.cert\.pem and --key \S+4_client\/private\/\S+ do not belong together: the key is not the certificate's \(rsa certificate, ec key\); give the key made with that certificate$/ },
    { name: 'probe two ECDSA files that do not belong together', script: probe, args: probeWith('--cert', layout.clientCert, '--key', layout.serverKey), code: 2, line: /^error: --cert \S+ and --key \S+3_application\/private\/\S+ do not belong together: the key is not the certificate's \(ec certificate, ec key\)/ },
    // cluster:up and the other commands
    // istioctl without a pinned checksum is checked against the .sha256 its release publishes; kind publishes none beside its binary.
    { name: 'cluster:up --dry-run, a kind version without a checksum', script: clusterUp, args: ['--dry-run'], env: { KIND_VERSION: 'v0.99.0', KIND_NODE_IMAGE: 'kindest/node:v1.36.4' }, code: 2, line: /^error: the real run would stop: no published checksum pinned for kind v0\.99\.0 \(\S+\) in targets\/kind\/tools\.json; set KIND_SHA256 /, within: 20_000 },
    { name: 'cluster:up --dry-run, CACHE_DIR under a file', script: clusterUp, args: ['--dry-run'], env: { CACHE_DIR: path.join(f('afile'), 'cache'), ISTIOCTL_SHA256: '0'.repeat(64) }, code: 2, line: /^error: the real run would stop: CACHE_DIR \S+\/afile\/cache cannot hold the cluster's files and tools: \S+\/afile is a file, not a folder; set CACHE_DIR to a folder you can write$/ },
    { name: 'cluster:up --dry-run, CACHE_DIR a file', script: clusterUp, args: ['--dry-run'], env: { CACHE_DIR: f('afile'), ISTIOCTL_SHA256: '0'.repeat(64) }, code: 2, line: /^error: the real run would stop: CACHE_DIR \S+\/afile cannot hold the cluster's files and tools: it is a file, not a folder;/ },
    { name: 'cluster:up --dry-run, CACHE_DIR under /proc', script: clusterUp, args: ['--dry-run'], env: { CACHE_DIR: '/proc/bad-input-cache', ISTIOCTL_SHA256: '0'.repeat(64) }, code: 2, line: /^error: the real run would stop: CACHE_DIR \/proc\/bad-input-cache cannot hold .*: \/proc is a special file system where folders cannot be made;/ },
    { name: 'cluster:up --dry-run ISTIO_VERSION=1.30', script: clusterUp, args: ['--dry-run'], env: { ISTIO_VERSION: '1.30' }, code: 2, line: /^error: setting ISTIO_VERSION="1\.30" is not accepted: expected an Istio release, e\.g\. 1\.30\.4$/ },
    { name: 'cluster:up --bogus', script: clusterUp, args: ['--bogus'], code: 2, line: /^error: unknown option '--bogus'$/ },
    { name: 'cluster:down --bogus', script: 'scripts/cluster-down.ts', args: ['--bogus'], code: 2, line: /^error: unknown option '--bogus'$/ },
    { name: 'cluster:down KIND_CLUSTER_NAME bad', script: 'scripts/cluster-down.ts', args: ['--dry-run'], env: { KIND_CLUSTER_NAME: 'Bad Name' }, code: 2, line: /^error: setting KIND_CLUSTER_NAME="Bad Name" is not accepted: expected a lowercase DNS label$/ },
    { name: 'twin without --kubeconfig-out', script: 'scripts/twin.ts', code: 2, line: /^error: required option '--kubeconfig-out <file>' not specified$/ },
    { name: 'twin --bogus', script: 'scripts/twin.ts', args: ['--kubeconfig-out', at('never.kubeconfig'), '--bogus'], code: 2, line: /^error: unknown option '--bogus'$/ },
    { name: 'twin:down --bogus', script: 'scripts/twin-down.ts', args: ['--bogus'], code: 2, line: /^error: unknown option '--bogus'$/ },
    { name: 'preflight --for nobody', script: 'scripts/preflight.ts', args: ['--for', 'nobody'], code: 2, line: /^error: option '--for <purpose>' argument 'nobody' is invalid\. Allowed choices are twin, selftest\.$/ },
    { name: 'twin:build --only nope', script: 'scripts/twin-build.ts', args: ['--only', 'nope'], code: 2, line: /^error: "nope" is not a twin binary or component: use / },
    { name: 'twin:build --bogus', script: 'scripts/twin-build.ts', args: ['--bogus'], code: 2, line: /^error: unknown option '--bogus'$/ },
    { name: 'rehearse --fault nope', script: 'scripts/rehearse.ts', args: ['--fault', 'nope'], code: 2, line: /^error: unknown fault nope: npm run rehearse -- --list-faults names them$/ },
    { name: 'rehearse --catalogue nope', script: 'scripts/rehearse.ts', args: ['--catalogue', 'nope'], code: 2, line: /^error: --catalogue: unknown catalogue "nope"; the rehearsed ones are secure-gateways, secure-gateways-sds$/ },
    { name: 'rehearse a fault another catalogue uses', script: 'scripts/rehearse.ts', args: ['--catalogue', 'secure-gateways-sds', '--fault', 'no-h2'], code: 2, line: /^error: fault no-h2 breaks no step of secure-gateways-sds: npm run rehearse -- --catalogue secure-gateways-sds --list-faults names its faults$/ },
    { name: 'rehearse --propagation-delay -1', script: 'scripts/rehearse.ts', args: ['--propagation-delay=-1'], code: 2, line: /^error: --propagation-delay takes milliseconds, 0 to 60000$/ },
    { name: 'rehearse --propagation-delay soon', script: 'scripts/rehearse.ts', args: ['--propagation-delay', 'soon'], code: 2, line: /^error: --propagation-delay takes milliseconds, 0 to 60000$/ },
    { name: 'rehearse --only SG-ZZ', script: 'scripts/rehearse.ts', args: ['--only', 'SG-ZZ'], code: 2, line: /^error: --only: unknown step SG-ZZ; the catalogue's steps are / },
    { name: 'rehearse --tls-max 1.0', script: 'scripts/rehearse.ts', args: ['--tls-max', '1.0'], code: 2, line: /^error: option '--tls-max <version>' argument '1\.0' is invalid\. Allowed choices are 1\.2, 1\.3\.$/ },
    { name: 'bench:certs --reps 0', script: 'scripts/bench-certs.ts', args: ['--reps', '0'], code: 2, line: /^error: option '--reps <n>' argument '0' is invalid\. a whole number from 1 to 50$/ },
  ];
}

interface Outcome {
  run: EntryPointRun;
  changed: string[];
}
const table = cases();
const outcomes = new Map<string, Outcome>();

beforeAll(async () => {
  mkdirSync(at('files'));
  mkdirSync(at('kube'));
  mkdirSync(at('partial', '1_root'), { recursive: true });
  const ecdsa = await makeDocChain({ keyType: 'ecdsa' });
  await writeDocLayout(ecdsa, layout.dir);
  const rsa = await makeDocChain({ keyType: 'rsa', rsaBits: 2048 });
  const files: Record<string, string | Buffer> = {
    afile: 'not a folder\n',
    'empty.pem': '',
    'garbage.txt': 'apiVersion: [unclosed\n',
    'ca.der': new X509Certificate(ecdsa.root.certPem).raw,
    'broken.cert.pem': '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n',
    // A key file whose armour is right and whose body is not a key: made from this run's own key.
    'broken.key.pem': ecdsa.client.keyPem.replace(/\n[A-Za-z0-9+/=\n]+\n(?=-----END)/, '\nbm90IGEga2V5\n'),
    'rsa.cert.pem': rsa.client.certPem,
    'client.pub.pem': createPublicKey(ecdsa.client.keyPem).export({ type: 'spki', format: 'pem' }),
    'encrypted.key.pem': createPrivateKey(ecdsa.client.keyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }),
    'encrypted-rsa.key.pem': createPrivateKey(rsa.client.keyPem).export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }),
  };
  for (const [name, content] of Object.entries(files)) writeFileSync(at('files', name), content, { mode: name.includes('key') ? 0o600 : 0o644 });
  kubeconfig('ca-missing.yaml', { 'certificate-authority': 'no-ca.crt' }, { token: 'x' });
  kubeconfig('cert-missing.yaml', { 'insecure-skip-tls-verify': true }, { 'client-certificate': 'no-client.crt', 'client-key-data': 'eA==' });
  kubeconfig('key-missing.yaml', { 'insecure-skip-tls-verify': true }, { 'client-certificate-data': 'eA==', 'client-key': 'no-client.key' });
  kubeconfig('exec-missing.yaml', { 'insecure-skip-tls-verify': true }, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'no-such-auth-plugin' } });
  kubeconfig('exec-path.yaml', { 'insecure-skip-tls-verify': true }, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: './bin/auth' } });
  kubeconfig('no-current.yaml', {}, { token: 'x' }, { 'current-context': '' });
  kubeconfig('no-cluster.yaml', {}, { token: 'x' }, { contexts: [{ name: 'kind-test', context: { cluster: 'elsewhere', user: 'u' } }] });
  const tcp = silentServer();
  await listen(tcp, 0);
  silentTcp = `tcp://127.0.0.1:${(tcp.address() as net.AddressInfo).port}`;
  const unix = silentServer();
  servers.push(unix);
  await new Promise<void>((resolve) => unix.listen(at('silent.sock'), resolve));

  const before = snapshot(tmp);
  const queue = [...table];
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const env: NodeJS.ProcessEnv = { ...baseEnv(), ...next.env };
      if (env.DOCKER_HOST === SILENT_TCP) env.DOCKER_HOST = silentTcp;
      const run = await runEntryPoint(next.script, next.args ?? [], { env, initCwd: next.initCwd ?? tmp, timeoutMs: 60_000 });
      const after = snapshot(tmp);
      const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((file) => before[file] !== after[file]);
      outcomes.set(next.name, { run, changed });
    }
  };
  await Promise.all([worker(), worker()]);
}, 900_000);

afterAll(async () => {
  for (const socket of held) socket.destroy();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('bad input: one clear line, the exact exit code, nothing changed on disk', () => {
  test('the table holds at least 120 cases, each named once', () => {
    expect(table.length).toBeGreaterThanOrEqual(120);
    expect(new Set(table.map((c) => c.name)).size).toBe(table.length);
  });

  test.each(table.map((wanted) => [wanted.name, wanted] as const))('%s', (_name, wanted) => {
    const { run, changed } = outcomes.get(wanted.name)!;
    const lines = run.stderr.split('\n').filter((line) => line.trim() !== '');
    expect({ code: run.code, lines: lines.length }).toEqual({ code: wanted.code, lines: 1 });
    expect(lines[0]).toMatch(wanted.line);
    expect(run.stderr).not.toMatch(/^\s+at /m); // no stack trace
    expect(run.stderr).not.toMatch(/DeprecationWarning|ExperimentalWarning/);
    if (wanted.script === probe) expect(run.stdout).toBe(''); // stdout is the observation's alone
    expect(changed).toEqual([]);
    if (wanted.within !== undefined) expect(run.ms).toBeLessThan(wanted.within);
  });
});
