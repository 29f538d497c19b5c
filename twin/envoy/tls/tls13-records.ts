// TLS 1.3 record protection (RFC 8446 §5.2, §7.1, §7.3): traffic keys from a traffic secret with
// HKDF-Expand-Label, and AEAD open/seal of records with the per-record nonce. The handshake guard
// uses it to read the client's Certificate (encrypted under the client handshake secret) and to
// send an alert under the server's application secret, exactly where BoringSSL would send it.
import crypto from 'node:crypto';
import { CONTENT_APPLICATION_DATA, type TlsRecord } from './records';

export interface CipherSpec {
  name: string;
  aead: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';
  hash: 'sha256' | 'sha384';
  keyLength: number;
}

/** The TLS 1.3 suites OpenSSL enables by default (CCM suites are off unless configured). */
export const TLS13_SUITES: Record<number, CipherSpec> = {
  0x1301: { name: 'TLS_AES_128_GCM_SHA256', aead: 'aes-128-gcm', hash: 'sha256', keyLength: 16 },
  0x1302: { name: 'TLS_AES_256_GCM_SHA384', aead: 'aes-256-gcm', hash: 'sha384', keyLength: 32 },
  0x1303: { name: 'TLS_CHACHA20_POLY1305_SHA256', aead: 'chacha20-poly1305', hash: 'sha256', keyLength: 32 },
};

const TAG_LENGTH = 16;
const IV_LENGTH = 12;

/** HKDF-Expand (RFC 5869 §2.3): Node's hkdf also extracts, which TLS 1.3's labels must not. */
function hkdfExpand(hash: string, prk: Buffer, info: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  for (let counter = 1; Buffer.concat(blocks).length < length; counter++) {
    previous = crypto.createHmac(hash, prk).update(Buffer.concat([previous, info, Buffer.from([counter])])).digest();
    blocks.push(previous);
  }
  return Buffer.concat(blocks).subarray(0, length);
}

export function hkdfExpandLabel(hash: string, secret: Buffer, label: string, context: Buffer, length: number): Buffer {
  const fullLabel = Buffer.from(`tls13 ${label}`, 'ascii');
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, fullLabel.length]), fullLabel, Buffer.from([context.length]), context]);
  return hkdfExpand(hash, secret, info, length);
}

/** One direction's record protection under one traffic secret, with its sequence number. */
export class RecordProtection {
  private readonly key: Buffer;
  private readonly iv: Buffer;
  private sequence = 0n;

  constructor(
    private readonly spec: CipherSpec,
    secret: Buffer,
  ) {
    this.key = hkdfExpandLabel(spec.hash, secret, 'key', Buffer.alloc(0), spec.keyLength);
    this.iv = hkdfExpandLabel(spec.hash, secret, 'iv', Buffer.alloc(0), IV_LENGTH);
  }

  private nonce(): Buffer {
    const nonce = Buffer.from(this.iv);
    const sequence = Buffer.alloc(8);
    sequence.writeBigUInt64BE(this.sequence);
    for (let i = 0; i < 8; i++) nonce[IV_LENGTH - 8 + i]! ^= sequence[i]!;
    this.sequence += 1n;
    return nonce;
  }

  /** Decrypts a TLSCiphertext record: its inner content type and content, or null if it does not open. */
  open(record: TlsRecord): { type: number; content: Buffer } | null {
    if (record.fragment.length < TAG_LENGTH + 1) return null;
    const header = record.raw.subarray(0, 5);
    const ciphertext = record.fragment.subarray(0, record.fragment.length - TAG_LENGTH);
    const tag = record.fragment.subarray(record.fragment.length - TAG_LENGTH);
    try {
      const decipher = crypto.createDecipheriv(this.spec.aead as 'aes-128-gcm', this.key, this.nonce(), { authTagLength: TAG_LENGTH }) as crypto.DecipherGCM;
      decipher.setAAD(header, { plaintextLength: ciphertext.length });
      decipher.setAuthTag(tag);
      const plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
      // TLSInnerPlaintext: content, then the real type, then zero padding.
      let end = plaintext.length - 1;
      while (end >= 0 && plaintext[end] === 0) end--;
      if (end < 0) return null;
      return { type: plaintext[end]!, content: plaintext.subarray(0, end) };
    } catch {
      return null;
    }
  }

  /** Encrypts content of an inner type as one TLSCiphertext record. */
  seal(type: number, content: Buffer): Buffer {
    const inner = Buffer.concat([content, Buffer.from([type])]);
    const length = inner.length + TAG_LENGTH;
    const header = Buffer.from([CONTENT_APPLICATION_DATA, 0x03, 0x03, length >> 8, length & 0xff]);
    const cipher = crypto.createCipheriv(this.spec.aead as 'aes-128-gcm', this.key, this.nonce(), { authTagLength: TAG_LENGTH }) as crypto.CipherGCM;
    cipher.setAAD(header, { plaintextLength: inner.length });
    const ciphertext = Buffer.concat([cipher.update(inner), cipher.final()]);
    return Buffer.concat([header, ciphertext, cipher.getAuthTag()]);
  }
}

/** The secrets of one connection, from NSS key log lines (Node's 'keylog' event). */
export class KeyLog {
  private readonly secrets = new Map<string, Buffer>();

  add(line: string): void {
    const [label, , secret] = line.trim().split(' ');
    if (label && secret) this.secrets.set(label, Buffer.from(secret, 'hex'));
  }

  get(label: 'CLIENT_HANDSHAKE_TRAFFIC_SECRET' | 'SERVER_TRAFFIC_SECRET_0'): Buffer | undefined {
    return this.secrets.get(label);
  }
}
