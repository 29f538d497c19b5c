// Key pairs come from Node's native crypto: node-forge's pure-JS RSA key generation takes seconds
// per key. The async generateKeyPair runs on the libuv pool, so several keys are made in parallel.
import { generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { KeyType } from './types';

const generate = promisify(generateKeyPair);

export interface NativeKeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

export const DEFAULT_RSA_BITS = 2048;

/** A fresh key pair: RSA of the given size (public exponent 65537), or ECDSA on P-256. */
export async function newKeyPair(keyType: KeyType = 'rsa', rsaBits: number = DEFAULT_RSA_BITS): Promise<NativeKeyPair> {
  if (keyType === 'ecdsa') return generate('ec', { namedCurve: 'prime256v1' });
  if (!Number.isInteger(rsaBits) || rsaBits < 2048) throw new RangeError(`RSA keys need at least 2048 bits, not ${rsaBits}`);
  return generate('rsa', { modulusLength: rsaBits, publicExponent: 0x10001 });
}

/** The PKCS#8 PEM of a private key (what the doc's key files hold, unencrypted). */
export function privateKeyPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** The key type of a key, for choosing how to sign with it. */
export function keyTypeOf(key: KeyObject): KeyType {
  if (key.asymmetricKeyType === 'rsa') return 'rsa';
  if (key.asymmetricKeyType === 'ec') return 'ecdsa';
  throw new TypeError(`unsupported key type ${String(key.asymmetricKeyType)} (use RSA or ECDSA keys)`);
}
