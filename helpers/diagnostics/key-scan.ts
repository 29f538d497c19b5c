// The last line of defence before a diagnostics file is written: a scan of its bytes for private
// key material, in every form it could have taken on the way (PEM armour, the PEM text itself,
// base64 of the PEM file as Envoy's inline_bytes carries it, the DER in base64, base64url (JWK),
// hex or raw bytes). The forms of the run's own keys are derived from the private parts only
// (RSA's d, p, q, dp, dq, qi; EC's d): the modulus and the EC public point are also in the
// certificates, which a bundle may hold. A finding names what was found, never the material.
import { createPrivateKey } from 'node:crypto';

/** A private key of the run, by a name for messages ("server key") and its PEM. */
export interface RunKey {
  label: string;
  pem: string;
}

export interface KeyScanner {
  /** What key material the content holds, in words (never the material itself); empty when none. */
  findings(content: string | Buffer): string[];
  /** Keys given that could not be read (their forms cannot be scanned for), in words. */
  readonly unreadable: string[];
}

// Every encoded form of a private part is kept as all its windows of this many characters, in a
// Map: the cost grows with the content's length, not with the number of keys. Any run of at least
// MIN_LEAK characters of a form holds a window that starts at a multiple of the stride
// (MIN_LEAK - WINDOW + 1), so the content need only be looked up at those positions.
const WINDOW = 16;
/**
 * The shortest leak found, per form, in characters: 24 raw bytes, 20 bytes in hex, 18 in base64
 * (so that one 64-character PEM line of private bytes is always found, even where it straddles
 * two parts).
 */
const MIN_LEAK = { raw: 24, base64: 24, hex: 40 } as const;
const PRIVATE_PARTS: Record<string, string[]> = { rsa: ['d', 'p', 'q', 'dp', 'dq', 'qi'], ec: ['d'], 'rsa-pss': ['d', 'p', 'q', 'dp', 'dq', 'qi'] };
const ARMOUR = /PRIVATE KEY/;
const ARMOUR_WORDS = Buffer.from('PRIVATE KEY');

type Pass = 'raw' | 'base64' | 'hex';

/** The base64 strings that `bytes` becomes at each of the three alignments in a longer stream. */
export function base64Forms(bytes: Buffer, encoding: 'base64' | 'base64url' = 'base64'): string[] {
  const forms: string[] = [];
  for (let lead = 0; lead < 3; lead += 1) {
    const text = Buffer.concat([Buffer.alloc(lead), bytes]).toString(encoding).replace(/=+$/, '');
    // Drop the characters that also encode the neighbours' bits: the first group when bytes lead
    // in, and the last (partial) group.
    const form = text.slice(lead === 0 ? 0 : 4, Math.floor((lead + bytes.length) / 3) * 4);
    if (form.length >= 8) forms.push(form);
  }
  return forms;
}

/** The body of a PEM as its lines of base64 (armour and headers left out). */
function pemBodyLines(pem: string): string[] {
  return pem
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('-----') && !line.includes(':'));
}

/**
 * The stretches of the PEM text (newlines included, as in the file) that encode only a private
 * part's bytes: base64 of the PEM file (inline_bytes of a key sent as a file) holds their base64.
 */
function privatePemStretches(pem: string, parts: Buffer[]): string[] {
  const lines = pemBodyLines(pem);
  const lineLength = lines[0]?.length ?? 0;
  const bodyStart = lines[0] === undefined ? -1 : pem.indexOf(lines[0]);
  if (lineLength === 0 || bodyStart < 0) return [];
  const newline = pem.includes('\r\n') ? 2 : 1;
  const der = Buffer.from(lines.join(''), 'base64');
  // Where the body's i-th base64 character sits in the file's text.
  const at = (i: number) => bodyStart + i + Math.floor(i / lineLength) * newline;
  const stretches: string[] = [];
  for (const part of parts) {
    const offset = der.indexOf(part);
    if (offset < 0) continue;
    // The characters that encode only this part's bytes.
    const from = Math.ceil(offset / 3) * 4;
    const to = Math.floor((offset + part.length) / 3) * 4;
    if (to > from) stretches.push(pem.slice(at(from), at(to - 1) + 1));
  }
  return stretches;
}

/** Text with the characters that can sit inside an encoded key removed: whitespace, JSON's \n, \r, \/ escapes. */
function normalized(text: string): string {
  return text.replace(/\\[nrt]|\s/g, '').replace(/\\\//g, '/');
}

export function keyScanner(keys: Iterable<RunKey>): KeyScanner {
  const needles: Record<Pass, Map<string, string>> = { raw: new Map(), base64: new Map(), hex: new Map() };
  const add = (pass: Pass, form: string, what: string) => {
    for (let start = 0; start + WINDOW <= form.length; start += 1) needles[pass].set(form.slice(start, start + WINDOW), what);
  };
  const unreadable: string[] = [];
  for (const key of keys) {
    let jwk: Record<string, unknown>;
    let type: string;
    try {
      const object = createPrivateKey(key.pem);
      type = object.asymmetricKeyType ?? '';
      jwk = object.export({ format: 'jwk' }) as Record<string, unknown>;
    } catch (error) {
      unreadable.push(`${key.label}: ${(error as Error).message}`);
      continue;
    }
    const parts = (PRIVATE_PARTS[type] ?? ['d']).flatMap((name) => (typeof jwk[name] === 'string' ? [Buffer.from(jwk[name] as string, 'base64url')] : []));
    if (parts.length === 0) {
      unreadable.push(`${key.label}: no private part to scan for in a ${type || 'unknown'} key`);
      continue;
    }
    for (const part of parts) {
      add('raw', part.toString('latin1'), `raw bytes of the ${key.label}`);
      add('hex', part.toString('hex'), `the ${key.label} in hex`);
      for (const form of base64Forms(part)) add('base64', form, `the ${key.label} (its PEM or DER in base64)`);
      for (const form of base64Forms(part, 'base64url')) add('base64', form, `the ${key.label} in base64url (JWK)`);
    }
    for (const stretch of privatePemStretches(key.pem, parts)) {
      for (const form of base64Forms(Buffer.from(stretch, 'latin1'))) add('base64', form, `the ${key.label}'s PEM file in base64`);
    }
  }
  // A PEM private key of anyone (istiod's, a workload's) inside base64, as inline_bytes carry files.
  const armourInBase64 = base64Forms(ARMOUR_WORDS);

  return {
    unreadable,
    findings(content) {
      const raw = typeof content === 'string' ? Buffer.from(content, 'utf8').toString('latin1') : content.toString('latin1');
      const found = new Set<string>();
      if (ARMOUR.test(raw)) found.add('the words PRIVATE KEY (a PEM private key armour)');
      const flat = normalized(raw);
      if (armourInBase64.some((form) => flat.includes(form))) found.add('a PEM private key armour in base64');
      const texts: Record<Pass, string> = { raw, base64: flat, hex: flat.toLowerCase().replace(/:/g, '') };
      for (const pass of ['raw', 'base64', 'hex'] as const) {
        const map = needles[pass];
        if (map.size === 0) continue;
        const text = texts[pass];
        const stride = MIN_LEAK[pass] - WINDOW + 1;
        for (let i = 0; i + WINDOW <= text.length; i += stride) {
          const what = map.get(text.slice(i, i + WINDOW));
          if (what) found.add(what);
        }
      }
      return [...found];
    },
  };
}
