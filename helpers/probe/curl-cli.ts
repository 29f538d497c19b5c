// The doc's own client: the machine's real `curl` binary, run with the doc's command line, as a
// second client beside the probe. Two clients that must agree catch what one alone cannot: a
// gateway that serves Node's TLS stack but not OpenSSL's curl (ciphers, key-exchange groups,
// HTTP/2 as curl speaks it, `:authority` with the port), or a probe that is wrong about a gateway.
// Its outcome is classified from curl's own exit code and error message (`-w '%{json}'`), and the
// server certificate from curl's verbose lines, which the doc shows ("subject: …CN=httpbin…").
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface CurlCliOptions {
  /** The folder the doc's relative paths are read from (the doc's four folders). */
  cwd: string;
  host: string;
  port: number;
  address: string;
  path: string;
  /** Paths relative to cwd, as the doc writes them. */
  cacert: string;
  cert?: string;
  key?: string;
  tlsMax?: '1.2' | '1.3';
  timeoutMs: number;
  /** The binary; default `curl` from PATH. */
  binary?: string;
}

export type CurlOutcome = 'response' | 'tls-alert' | 'untrusted' | 'refused' | 'timeout' | 'reset' | 'dns' | 'other';

export interface CurlObservation {
  client: 'curl';
  outcome: CurlOutcome;
  /** The doc's command line as run (file paths only; never file contents). */
  commandLine: string;
  exitCode: number;
  /** curl's own error message, empty on success. */
  error: string;
  status: number | null;
  /** '2', '1.1' (curl's http_version). */
  httpVersion: string | null;
  /** RFC 8446 alert name when the server refused with an alert, e.g. certificate_required. */
  alert: string | null;
  /** From curl's verbose "subject:" / "issuer:" lines. */
  peerSubject: string | null;
  peerIssuer: string | null;
  body: string;
  elapsedMs: number;
}

/** The doc's command line with its variables filled in (what a person would type in cwd). */
export function curlArguments(options: CurlCliOptions): string[] {
  const { host, port, address } = options;
  return [
    '-v',
    '--resolve',
    `${host}:${port}:${address}`,
    '--cacert',
    options.cacert,
    ...(options.cert ? ['--cert', options.cert] : []),
    ...(options.key ? ['--key', options.key] : []),
    ...(options.tlsMax ? ['--tls-max', options.tlsMax] : []),
    `https://${host}:${port}${options.path}`,
  ];
}

/** Whether a curl binary is on PATH (or the path given exists and is executable). */
export function findCurl(binary = 'curl', env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = binary.includes('/') ? [binary] : (env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, binary));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  return null;
}

/** Runs the doc's curl once (asynchronously: a gateway in this process keeps serving). */
export async function runCurl(options: CurlCliOptions): Promise<CurlObservation> {
  const docArgs = curlArguments(options);
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'igc-curl-'));
  const bodyFile = path.join(scratch, 'body');
  // Output flags only: where the body goes, the outcome as JSON, a time bound. -sS keeps the
  // progress meter out of stderr but still shows curl's error line.
  const args = ['-sS', '-o', bodyFile, '-w', '%{json}', '-m', String(Math.max(1, Math.ceil(options.timeoutMs / 1000))), ...docArgs];
  const started = Date.now();
  try {
    const { code, stdout, stderr } = await spawnCollect(options.binary ?? 'curl', args, options.cwd);
    const body = await readFile(bodyFile, 'utf8').catch(() => '');
    return { ...classifyCurl(code, stdout, stderr), body: body.slice(0, 65_536), commandLine: ['curl', ...docArgs].join(' '), elapsedMs: Date.now() - started };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Runs a program to its end without blocking the event loop; resolves with its exit code and output. */
export function spawnCollect(binary: string, args: string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

type Classified = Omit<CurlObservation, 'body' | 'commandLine' | 'elapsedMs'>;

interface CurlWriteOut {
  exitcode?: number;
  errormsg?: string | null;
  http_code?: number;
  http_version?: string;
}

/**
 * Pure: curl's exit code, its `%{json}` write-out and its verbose stderr, in the probe's terms.
 * Exit codes from curl's libcurl-errors: 6 no such host, 7 connect refused, 28 timeout, 35 TLS
 * handshake failed, 56 receive failed (TLS 1.3's post-handshake alert, or a reset), 52 empty reply,
 * 60 the server's certificate not trusted.
 */
export function classifyCurl(exitCode: number, writeOut: string, stderr: string): Classified {
  let json: CurlWriteOut = {};
  try {
    json = JSON.parse(writeOut) as CurlWriteOut;
  } catch {
    // curl printed no write-out (killed, or too old for %{json}): the exit code alone decides.
  }
  const error = (json.errormsg ?? lastErrorLine(stderr)) || '';
  const alert = alertName(error);
  const status = json.http_code ? json.http_code : null;
  const base = {
    client: 'curl' as const,
    exitCode,
    error,
    status,
    httpVersion: json.http_version && json.http_version !== '0' ? json.http_version : null,
    alert,
    peerSubject: verboseField(stderr, 'subject'),
    peerIssuer: verboseField(stderr, 'issuer'),
  };
  if (exitCode === 0 && status) return { ...base, outcome: 'response' };
  if (alert) return { ...base, outcome: 'tls-alert' };
  const byExit: Record<number, CurlOutcome> = { 6: 'dns', 7: 'refused', 28: 'timeout', 60: 'untrusted', 52: 'reset', 56: 'reset', 35: 'reset' };
  return { ...base, outcome: byExit[exitCode] ?? 'other' };
}

/** OpenSSL's alert text ("tlsv13 alert certificate required") as the RFC names it. */
export function alertName(message: string): string | null {
  const match = /(?:sslv3|tlsv1\d?) alert ([a-z ]+?)(?:\s*$|,|\))/i.exec(message);
  return match ? match[1]!.trim().toLowerCase().replace(/ /g, '_') : null;
}

function lastErrorLine(stderr: string): string {
  const lines = stderr.split('\n').filter((line) => line.startsWith('curl: ('));
  return lines.at(-1)?.replace(/^curl: \(\d+\) /, '') ?? '';
}

/** `*  subject: C=US; …; CN=httpbin.example.com` from curl -v. */
function verboseField(stderr: string, field: 'subject' | 'issuer'): string | null {
  const match = new RegExp(`^\\*\\s+${field}: (.*)$`, 'm').exec(stderr);
  return match ? match[1]!.trim() : null;
}

/** The CN of a curl subject/issuer line ("C=US; O=Dis; CN=httpbin.example.com"). */
export function commonName(line: string | null): string | null {
  const match = line ? /(?:^|[;,/]\s*)CN\s*=\s*([^;,/]+)/.exec(line) : null;
  return match ? match[1]!.trim() : null;
}

/** One line for a person. */
export function renderCurl(seen: CurlObservation): string {
  if (seen.outcome === 'response') return `curl: HTTP/${seen.httpVersion ?? '?'} ${seen.status} (peer ${seen.peerSubject ?? 'unknown'})`;
  const alert = seen.alert ? `, alert ${seen.alert}` : '';
  return `curl: ${seen.outcome}${alert} (exit ${seen.exitCode}: ${seen.error || 'no message'})`;
}
