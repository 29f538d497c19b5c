// TLS framing read off the wire (RFC 8446 §5.1, RFC 5246 §6.2): records from a byte stream, and
// handshake messages from record fragments. Read-only views: the bytes themselves pass unchanged.

export const CONTENT_CHANGE_CIPHER_SPEC = 20;
export const CONTENT_ALERT = 21;
export const CONTENT_HANDSHAKE = 22;
export const CONTENT_APPLICATION_DATA = 23;

export const HANDSHAKE_CLIENT_HELLO = 1;
export const HANDSHAKE_SERVER_HELLO = 2;
export const HANDSHAKE_CERTIFICATE = 11;
export const HANDSHAKE_CERTIFICATE_REQUEST = 13;
export const HANDSHAKE_SERVER_HELLO_DONE = 14;
export const HANDSHAKE_FINISHED = 20;

const RECORD_HEADER = 5;
/** TLSCiphertext may carry 2^14 + 256 bytes; anything longer is not TLS. */
const MAX_RECORD = 16384 + 256;

export interface TlsRecord {
  type: number;
  version: number;
  fragment: Buffer;
  /** The whole record as it was on the wire, header included. */
  raw: Buffer;
}

export class NotTls extends Error {
  override name = 'NotTls';
}

/** Splits a byte stream into whole records; a partial record waits for more bytes. */
export class RecordReader {
  private buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): TlsRecord[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const records: TlsRecord[] = [];
    while (this.buffered.length >= RECORD_HEADER) {
      const length = this.buffered.readUInt16BE(3);
      if (length > MAX_RECORD) throw new NotTls(`record of ${length} bytes`);
      if (this.buffered.length < RECORD_HEADER + length) break;
      const raw = this.buffered.subarray(0, RECORD_HEADER + length);
      records.push({ type: raw[0]!, version: raw.readUInt16BE(1), fragment: raw.subarray(RECORD_HEADER), raw });
      this.buffered = this.buffered.subarray(RECORD_HEADER + length);
    }
    return records;
  }

  /** Bytes of a record not yet complete. */
  pending(): Buffer {
    return this.buffered;
  }
}

export interface HandshakeMessage {
  type: number;
  body: Buffer;
}

/** Handshake messages from consecutive handshake fragments (a message may span records). */
export class HandshakeReader {
  private buffered: Buffer = Buffer.alloc(0);

  push(fragment: Buffer): HandshakeMessage[] {
    this.buffered = this.buffered.length === 0 ? fragment : Buffer.concat([this.buffered, fragment]);
    const messages: HandshakeMessage[] = [];
    while (this.buffered.length >= 4) {
      const length = this.buffered.readUIntBE(1, 3);
      if (this.buffered.length < 4 + length) break;
      messages.push({ type: this.buffered[0]!, body: this.buffered.subarray(4, 4 + length) });
      this.buffered = this.buffered.subarray(4 + length);
    }
    return messages;
  }

  /** The type of the message being assembled, if one has begun. */
  partialType(): number | null {
    return this.buffered.length > 0 ? this.buffered[0]! : null;
  }
}

/** A cursor over a message body that throws on a short read (a malformed message). */
export class Cursor {
  constructor(
    private readonly data: Buffer,
    private offset = 0,
  ) {}

  get remaining(): number {
    return this.data.length - this.offset;
  }

  u8(): number {
    this.need(1);
    return this.data[this.offset++]!;
  }

  u16(): number {
    this.need(2);
    const value = this.data.readUInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  u24(): number {
    this.need(3);
    const value = this.data.readUIntBE(this.offset, 3);
    this.offset += 3;
    return value;
  }

  bytes(length: number): Buffer {
    this.need(length);
    const value = this.data.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  /** A vector with a 1-, 2- or 3-byte length prefix. */
  vector(lengthBytes: 1 | 2 | 3): Buffer {
    const length = lengthBytes === 1 ? this.u8() : lengthBytes === 2 ? this.u16() : this.u24();
    return this.bytes(length);
  }

  private need(length: number): void {
    if (this.offset + length > this.data.length) throw new RangeError('truncated TLS message');
  }
}
