// Turns ProbeOptions into what the dialler needs, checking them once: a bad option is a UsageError
// (the caller's mistake), never an observation.
import net from 'node:net';
import tls, { type SecureContext, type SecureVersion } from 'node:tls';
import { UsageError } from '../config';
import { checkProbeFiles, type NamedPem } from './pem-check';
import type { AlpnProtocol, ProbeOptions, TlsVersionBound } from './types';

export const DEFAULT_ALPN: AlpnProtocol[] = ['h2', 'http/1.1'];
export const DEFAULT_BODY_LIMIT = 64 * 1024;
/** The same default as the PROBE_ACCEPT_WINDOW_MS setting. */
export const DEFAULT_ACCEPT_WINDOW_MS = 300;

export interface ProbePlan {
  url: URL;
  /** The URL's host without IPv6 brackets: the name verified in the server certificate. */
  host: string;
  port: number;
  /** SNI: the URL's host, absent when that is an IP address (TLS forbids IP literals in SNI). */
  servername: string | undefined;
  /** From `resolve` when it maps this host:port; otherwise the host is looked up. */
  resolvedAddress: string | undefined;
  /** CAs, client certificate and TLS version bounds, checked before any dialling. */
  secureContext: SecureContext;
  alpn: AlpnProtocol[];
  timeoutMs: number;
  bodyLimit: number;
  acceptWindowMs: number;
}

export function planProbe(options: ProbeOptions): ProbePlan {
  const url = parseUrl(options.url);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port === '' ? 443 : Number(url.port);
  if ((options.cert === undefined) !== (options.key === undefined)) {
    throw new UsageError('a client certificate needs its key and a key its certificate: give both --cert and --key, or neither');
  }
  const alpn = options.alpn ?? DEFAULT_ALPN;
  if (alpn.length === 0 || alpn.some((p) => !DEFAULT_ALPN.includes(p))) {
    throw new UsageError(`ALPN ${JSON.stringify(alpn)} is not accepted: offer h2 and/or http/1.1`);
  }
  const minVersion = tlsVersion(options.tlsMin);
  const maxVersion = tlsVersion(options.tlsMax);
  if (minVersion && maxVersion && minVersion > maxVersion) {
    throw new UsageError(`TLS min ${options.tlsMin} is above TLS max ${options.tlsMax}: no version could be negotiated`);
  }
  const resolvedAddress =
    options.resolve && sameName(options.resolve.host, host) && options.resolve.port === port
      ? checkedAddress(options.resolve.address)
      : undefined;
  return {
    url,
    host,
    port,
    servername: net.isIP(host) === 0 ? host : undefined,
    resolvedAddress,
    secureContext: secureContext(options, minVersion, maxVersion),
    alpn,
    timeoutMs: positive('timeoutMs', options.timeoutMs),
    bodyLimit: positive('bodyLimit', options.bodyLimit ?? DEFAULT_BODY_LIMIT),
    acceptWindowMs: nonNegative('acceptWindowMs', options.acceptWindowMs ?? DEFAULT_ACCEPT_WINDOW_MS),
  };
}

/** Parses curl's --resolve value `host:port:address` (an IPv6 address may be in brackets). */
export function parseResolve(text: string): { host: string; port: number; address: string } {
  const match = /^([^:\s]+):(\d{1,5}):(\S+)$/.exec(text);
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65535) {
    throw new UsageError(`--resolve ${JSON.stringify(text)} is not host:port:address, e.g. httpbin.example.com:31443:127.0.0.1`);
  }
  return { host: match[1]!, port, address: checkedAddress(match[3]!) };
}

function secureContext(options: ProbeOptions, minVersion?: SecureVersion, maxVersion?: SecureVersion): SecureContext {
  // OpenSSL skips what is not a certificate in a CA bundle (an empty bundle would trust nothing)
  // and takes a key that is not the certificate's: both are checked here first, by name.
  const named = (text: string | undefined, name: string): NamedPem | undefined => (text === undefined ? undefined : { text, name });
  checkProbeFiles({
    ca: named(options.ca, options.names?.ca ?? 'the CA file'),
    cert: named(options.cert, options.names?.cert ?? 'the client certificate'),
    key: named(options.key, options.names?.key ?? 'the client key'),
  });
  try {
    return tls.createSecureContext({ ca: options.ca, cert: options.cert, key: options.key, minVersion, maxVersion });
  } catch (error) {
    // OpenSSL's words (no start line, key values mismatch) never quote the key itself.
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(`the CA, client certificate or key is not usable: ${reason}`);
  }
}

function checkedAddress(text: string): string {
  const address = text.replace(/^\[(.*)\]$/, '$1');
  if (net.isIP(address) === 0) throw new UsageError(`resolve address ${JSON.stringify(text)} is not an IP address`);
  return address;
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`URL ${JSON.stringify(text)} is not a URL, e.g. https://httpbin.example.com:31443/status/418`);
  }
  if (url.protocol !== 'https:') throw new UsageError(`URL ${JSON.stringify(text)} is not https: the probe speaks TLS only`);
  return url;
}

function sameName(a: string, b: string): boolean {
  return a.replace(/^\[(.*)\]$/, '$1').toLowerCase() === b.toLowerCase();
}

function tlsVersion(bound: TlsVersionBound | undefined): SecureVersion | undefined {
  if (bound === undefined) return undefined;
  if (bound !== '1.2' && bound !== '1.3') throw new UsageError(`TLS version ${JSON.stringify(bound)} is not accepted: use 1.2 or 1.3`);
  return `TLSv${bound}`;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${name} ${value} is not accepted: use a positive number`);
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new UsageError(`${name} ${value} is not accepted: use 0 or more`);
  return value;
}
