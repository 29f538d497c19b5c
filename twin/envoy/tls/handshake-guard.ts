// Client certificate refusal with the alert Envoy sends. Node's TLS server accepts any client
// certificate inside the handshake (its OpenSSL verify callback returns 1) and, with
// rejectUnauthorized, drops the connection afterwards without an alert. Envoy (BoringSSL) refuses
// in the handshake with the alert the X509 error maps to, e.g. unknown_ca.
//
// So the guard sits between the socket and Node's TLS server and reads the handshake as it passes:
// the ServerHello tells the version and suite; with TLS 1.2 the client's Certificate message is in
// the clear; with TLS 1.3 it is decrypted with the client handshake traffic secret that Node's
// 'keylog' event gives. The certificate is verified as Envoy would (peer-verify.ts). If it passes,
// every byte goes on to OpenSSL unchanged (OpenSSL verifies it again); if it fails, the guard sends
// the alert itself, as a plaintext record (TLS 1.2) or encrypted under the server application
// traffic secret with sequence number 0 (TLS 1.3: where BoringSSL sends it, right after the
// server's Finished), and closes. Missing certificates are left to OpenSSL, which already sends
// handshake_failure / certificate_required like BoringSSL. Key material stays in memory.
import { duplexPair, type Duplex } from 'node:stream';
import type net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { ALERTS, verifyClientChain, type ValidationPolicy, type VerifyOutcome } from './peer-verify';
import {
  CONTENT_ALERT,
  CONTENT_APPLICATION_DATA,
  CONTENT_CHANGE_CIPHER_SPEC,
  CONTENT_HANDSHAKE,
  Cursor,
  HANDSHAKE_CERTIFICATE,
  HANDSHAKE_SERVER_HELLO,
  HandshakeReader,
  RecordReader,
  type HandshakeMessage,
  type TlsRecord,
} from './records';
import { KeyLog, RecordProtection, TLS13_SUITES, type CipherSpec } from './tls13-records';

const HELLO_RETRY_RANDOM = Buffer.from('CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C', 'hex');
const EXTENSION_SUPPORTED_VERSIONS = 43;
const ALERT_LEVEL_FATAL = 2;

export type Refusal = Extract<VerifyOutcome, { ok: false }>;

export interface GuardOptions {
  /** The accepted connection. */
  raw: net.Socket;
  /** Bytes already read from it (the ClientHello the listener peeked at). */
  initial: Buffer;
  /** How client certificates are judged; null when the context has no validation context. */
  policy: ValidationPolicy | null;
  /** Called once when a client certificate is refused (the alert is already on its way). */
  onRefused: (refusal: Refusal, tlsVersion: string) => void;
}

type Mode = 'inspect' | 'passthrough' | 'refused';

export class HandshakeGuard {
  /** The transport to build the server TLSSocket on. */
  readonly transport: Duplex;
  private readonly wire: Duplex;
  private readonly raw: net.Socket;
  private mode: Mode;
  private readonly clientRecords = new RecordReader();
  private readonly serverRecords = new RecordReader();
  private readonly serverHandshake = new HandshakeReader();
  private readonly clientHandshake = new HandshakeReader();
  private readonly keys = new KeyLog();
  private version: 'TLSv1.2' | 'TLSv1.3' | null = null;
  private spec: CipherSpec | null = null;
  private clientProtection: RecordProtection | null = null;
  private parseServer = true;
  /** Client records read but not yet passed on (a Certificate message being assembled). */
  private held: TlsRecord[] = [];
  /** Client records waiting for the keylog secret. */
  private queued: TlsRecord[] = [];

  constructor(private readonly options: GuardOptions) {
    const [transport, wire] = duplexPair();
    this.transport = transport;
    this.wire = wire;
    this.raw = options.raw;
    this.mode = options.policy ? 'inspect' : 'passthrough';
    this.pipe();
    this.onClientBytes(options.initial);
  }

  /** Listens to the TLSSocket's key log (TLS 1.3 needs its secrets). */
  attach(socket: TLSSocket): void {
    if (this.mode === 'inspect') {
      socket.on('keylog', (line: Buffer) => {
        this.keys.add(line.toString('latin1'));
        this.drainQueue();
      });
    }
  }

  private pipe(): void {
    const { raw, wire } = this;
    raw.on('data', (chunk: Buffer) => this.onClientBytes(chunk));
    raw.on('end', () => wire.end());
    raw.on('close', () => wire.destroy());
    raw.on('error', () => wire.destroy());
    wire.on('data', (chunk: Buffer) => {
      if (this.mode === 'refused') return;
      if (this.parseServer && this.mode === 'inspect') this.onServerBytes(chunk);
      if (!raw.write(chunk)) {
        wire.pause();
        raw.once('drain', () => wire.resume());
      }
    });
    wire.on('end', () => {
      if (this.mode !== 'refused') raw.end();
    });
    wire.on('close', () => {
      if (this.mode !== 'refused' && !raw.destroyed) raw.destroySoon();
    });
    wire.on('error', () => undefined);
  }

  private forward(bytes: Buffer): void {
    if (bytes.length === 0 || this.mode === 'refused' || this.wire.destroyed) return;
    if (!this.wire.write(bytes)) {
      this.raw.pause();
      this.wire.once('drain', () => this.raw.resume());
    }
  }

  private onClientBytes(chunk: Buffer): void {
    if (this.mode === 'passthrough') return this.forward(chunk);
    if (this.mode === 'refused') return;
    let records: TlsRecord[];
    try {
      records = this.clientRecords.push(chunk);
    } catch {
      // Not TLS any more: OpenSSL will say so.
      return this.release();
    }
    this.queued.push(...records);
    this.drainQueue();
  }

  private drainQueue(): void {
    while (this.mode === 'inspect' && this.queued.length > 0) {
      const record = this.queued[0]!;
      if (this.version === 'TLSv1.3' && record.type === CONTENT_APPLICATION_DATA && !this.clientProtection) {
        const secret = this.keys.get('CLIENT_HANDSHAKE_TRAFFIC_SECRET');
        if (!secret || !this.spec) return; // wait for the key log
        this.clientProtection = new RecordProtection(this.spec, secret);
      }
      this.queued.shift();
      this.onClientRecord(record);
    }
    if (this.mode === 'passthrough') {
      const rest = this.queued;
      this.queued = [];
      for (const record of rest) this.forward(record.raw);
    }
  }

  private onClientRecord(record: TlsRecord): void {
    if (this.version === null) return this.forward(record.raw); // ClientHello (again, after a HelloRetryRequest)
    if (this.version === 'TLSv1.2') {
      if (record.type !== CONTENT_HANDSHAKE) return this.release(record); // resumption: CCS before any Certificate
      this.held.push(record);
      return this.inspectHandshake(this.clientHandshake.push(record.fragment));
    }
    if (record.type === CONTENT_CHANGE_CIPHER_SPEC) return this.forward(record.raw); // middlebox compatibility
    if (record.type !== CONTENT_APPLICATION_DATA) return this.release(record);
    const opened = this.clientProtection!.open(record);
    if (!opened || opened.type !== CONTENT_HANDSHAKE) return this.release(record);
    this.held.push(record);
    this.inspectHandshake(this.clientHandshake.push(opened.content));
  }

  /** The client's second flight: only a first Certificate message matters. */
  private inspectHandshake(messages: HandshakeMessage[]): void {
    const first = messages[0];
    const type = first?.type ?? this.clientHandshake.partialType();
    if (type === null) return;
    if (type !== HANDSHAKE_CERTIFICATE) return this.release();
    if (!first) return; // still arriving
    let chain: Buffer[];
    try {
      chain = parseCertificateList(first.body, this.version === 'TLSv1.3');
    } catch {
      return this.release(); // malformed: OpenSSL will send decode_error
    }
    if (chain.length === 0) return this.release(); // no certificate: OpenSSL's own alert
    const outcome = verifyClientChain(chain, this.options.policy!);
    if (outcome.ok) return this.release();
    this.refuse(outcome);
  }

  /** Stops inspecting: what was held (and the record that decided it) goes on to OpenSSL. */
  private release(extra?: TlsRecord): void {
    if (this.mode !== 'inspect') return;
    this.mode = 'passthrough';
    this.parseServer = false;
    for (const record of this.held) this.forward(record.raw);
    this.held = [];
    if (extra) this.forward(extra.raw);
    // Queued records are flushed by drainQueue; the partial record's bytes follow them.
    const rest = this.queued;
    this.queued = [];
    for (const record of rest) this.forward(record.raw);
    this.forward(this.clientRecords.pending());
  }

  private refuse(refusal: Refusal): void {
    const alert = Buffer.from([ALERT_LEVEL_FATAL, ALERTS[refusal.alert]]);
    let record: Buffer | null = null;
    if (this.version === 'TLSv1.2') {
      record = Buffer.concat([Buffer.from([CONTENT_ALERT, 0x03, 0x03, 0x00, alert.length]), alert]);
    } else {
      const secret = this.keys.get('SERVER_TRAFFIC_SECRET_0');
      if (secret && this.spec) record = new RecordProtection(this.spec, secret).seal(CONTENT_ALERT, alert);
    }
    if (!record) return this.release(); // cannot speak for OpenSSL: let it decide (a reset, not an alert)
    this.mode = 'refused';
    this.held = [];
    this.queued = [];
    this.options.onRefused(refusal, this.version!);
    this.wire.destroy();
    const { raw } = this;
    raw.end(record, () => raw.destroy());
    // A client that never reads: do not keep the socket for ever.
    setTimeout(() => raw.destroy(), 5_000).unref();
  }

  private onServerBytes(chunk: Buffer): void {
    try {
      for (const record of this.serverRecords.push(chunk)) {
        if (record.type !== CONTENT_HANDSHAKE) continue;
        for (const message of this.serverHandshake.push(record.fragment)) {
          if (message.type === HANDSHAKE_SERVER_HELLO) this.onServerHello(message.body);
        }
        if (!this.parseServer) return;
      }
    } catch {
      this.release();
    }
  }

  private onServerHello(body: Buffer): void {
    const cursor = new Cursor(body);
    const legacyVersion = cursor.u16();
    const random = cursor.bytes(32);
    cursor.vector(1);
    const suite = cursor.u16();
    cursor.u8();
    let selected = legacyVersion;
    if (cursor.remaining > 0) {
      const extensions = new Cursor(cursor.vector(2));
      while (extensions.remaining > 0) {
        const type = extensions.u16();
        const data = extensions.vector(2);
        if (type === EXTENSION_SUPPORTED_VERSIONS && data.length === 2) selected = data.readUInt16BE(0);
      }
    }
    if (random.equals(HELLO_RETRY_RANDOM)) return; // a second ClientHello comes first
    this.parseServer = false;
    if (selected === 0x0304) {
      const spec = TLS13_SUITES[suite];
      if (!spec) return this.release(); // a suite the guard cannot read (CCM): no inspection
      this.version = 'TLSv1.3';
      this.spec = spec;
    } else if (selected === 0x0303) {
      this.version = 'TLSv1.2';
    } else {
      this.release();
    }
  }
}

/** The DER certificates of a Certificate message (TLS 1.3 adds a context and per-entry extensions). */
export function parseCertificateList(body: Buffer, tls13: boolean): Buffer[] {
  const cursor = new Cursor(body);
  if (tls13) cursor.vector(1);
  const list = new Cursor(cursor.vector(3));
  const chain: Buffer[] = [];
  while (list.remaining > 0) {
    chain.push(list.vector(3));
    if (tls13) list.vector(2);
  }
  return chain;
}
