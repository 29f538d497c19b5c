// What Envoy's tls_inspector listener filter reads from the first bytes of a connection: whether it
// is TLS, and the ClientHello's SNI and ALPN, which filter chain matching uses. The bytes are only
// peeked: the TLS server later reads them again from the start.
import { Cursor, CONTENT_HANDSHAKE, HANDSHAKE_CLIENT_HELLO, HandshakeReader, NotTls, RecordReader } from './records';

/** Envoy's default max_client_hello_size. */
export const MAX_CLIENT_HELLO = 64 * 1024;

const EXTENSION_SERVER_NAME = 0;
const EXTENSION_ALPN = 16;
const EXTENSION_SUPPORTED_VERSIONS = 43;

export interface ClientHello {
  /** The SNI host name (lowercase), or null when the client sent none. */
  serverName: string | null;
  alpn: string[];
  /** Versions the client offers, e.g. ['TLSv1.3', 'TLSv1.2']. */
  versions: string[];
}

export type HelloPeek = { kind: 'need-more' } | { kind: 'not-tls'; reason: string } | { kind: 'tls'; hello: ClientHello };

const VERSION_NAMES: Record<number, string> = { 0x0301: 'TLSv1', 0x0302: 'TLSv1.1', 0x0303: 'TLSv1.2', 0x0304: 'TLSv1.3' };

/** Reads a ClientHello from the bytes received so far (they may hold only part of it). */
export function peekClientHello(bytes: Buffer): HelloPeek {
  if (bytes.length === 0) return { kind: 'need-more' };
  if (bytes[0] !== CONTENT_HANDSHAKE) return { kind: 'not-tls', reason: 'first byte is not a TLS handshake record' };
  if (bytes.length >= 2 && bytes[1] !== 3) return { kind: 'not-tls', reason: 'record version is not TLS' };
  try {
    const records = new RecordReader().push(bytes);
    const handshake = new HandshakeReader();
    for (const record of records) {
      if (record.type !== CONTENT_HANDSHAKE) return { kind: 'not-tls', reason: 'ClientHello interleaved with other records' };
      const [first] = handshake.push(record.fragment);
      if (first) {
        if (first.type !== HANDSHAKE_CLIENT_HELLO) return { kind: 'not-tls', reason: 'first handshake message is not a ClientHello' };
        return { kind: 'tls', hello: parseClientHelloBody(first.body) };
      }
    }
    if (bytes.length > MAX_CLIENT_HELLO) return { kind: 'not-tls', reason: `ClientHello larger than ${MAX_CLIENT_HELLO} bytes` };
    return { kind: 'need-more' };
  } catch (error) {
    if (error instanceof NotTls || error instanceof RangeError) return { kind: 'not-tls', reason: error.message };
    throw error;
  }
}

export function parseClientHelloBody(body: Buffer): ClientHello {
  const cursor = new Cursor(body);
  const legacyVersion = cursor.u16();
  cursor.bytes(32); // random
  cursor.vector(1); // legacy_session_id
  cursor.vector(2); // cipher_suites
  cursor.vector(1); // compression methods
  const hello: ClientHello = { serverName: null, alpn: [], versions: [] };
  if (cursor.remaining === 0) {
    hello.versions = [VERSION_NAMES[legacyVersion] ?? `0x${legacyVersion.toString(16)}`];
    return hello;
  }
  const extensions = new Cursor(cursor.vector(2));
  while (extensions.remaining > 0) {
    const type = extensions.u16();
    const data = new Cursor(extensions.vector(2));
    if (type === EXTENSION_SERVER_NAME) hello.serverName = readServerName(data);
    else if (type === EXTENSION_ALPN) hello.alpn = readAlpn(data);
    else if (type === EXTENSION_SUPPORTED_VERSIONS) hello.versions = readVersions(data);
  }
  if (hello.versions.length === 0) hello.versions = [VERSION_NAMES[legacyVersion] ?? `0x${legacyVersion.toString(16)}`];
  return hello;
}

function readServerName(data: Cursor): string | null {
  const list = new Cursor(data.vector(2));
  while (list.remaining > 0) {
    const nameType = list.u8();
    const name = list.vector(2);
    if (nameType === 0) return name.toString('ascii').toLowerCase();
  }
  return null;
}

function readAlpn(data: Cursor): string[] {
  const list = new Cursor(data.vector(2));
  const protocols: string[] = [];
  while (list.remaining > 0) protocols.push(list.vector(1).toString('latin1'));
  return protocols;
}

function readVersions(data: Cursor): string[] {
  const list = new Cursor(data.vector(1));
  const versions: string[] = [];
  while (list.remaining >= 2) {
    const version = list.u16();
    // GREASE values (0x?a?a) are noise by design.
    if ((version & 0x0f0f) !== 0x0a0a) versions.push(VERSION_NAMES[version] ?? `0x${version.toString(16)}`);
  }
  return versions;
}
