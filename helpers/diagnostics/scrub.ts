// Redaction by content, for what has no structure to redact by (log lines, error messages, any
// string inside JSON): a PEM private key block, or base64 that decodes to one, becomes
// "[redacted]". What this misses, the final scan (key-scan.ts) refuses to write.

export const REDACTED = '[redacted]';

// A whole block, or its armour alone when the block is cut (a log line, a truncated message).
const PEM_KEY_BLOCK = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
const ARMOUR_LINE = /-----(?:BEGIN|END) [A-Z0-9 ]*PRIVATE KEY-----/g;
const BASE64_RUN = /^[A-Za-z0-9+/]{40,}={0,2}$/;

/** The text with every PEM private key block replaced. */
export function scrubText(text: string): string {
  return text.replace(PEM_KEY_BLOCK, `${REDACTED} (a PEM private key)`).replace(ARMOUR_LINE, REDACTED);
}

/** Whether a string is base64 of text that holds a PEM private key (inline_bytes of a key file). */
export function isBase64OfPemKey(value: string): boolean {
  if (!BASE64_RUN.test(value)) return false;
  return /PRIVATE KEY-----/.test(Buffer.from(value, 'base64').toString('latin1'));
}

/** A copy of JSON data in which every string holding a PEM private key, plain or in base64, is redacted. */
export function scrubStrings<T>(value: T): { value: T; redacted: number } {
  let redacted = 0;
  const visit = (node: unknown): unknown => {
    if (typeof node === 'string') {
      if (isBase64OfPemKey(node)) {
        redacted += 1;
        return REDACTED;
      }
      const scrubbed = scrubText(node);
      if (scrubbed !== node) redacted += 1;
      return scrubbed;
    }
    if (Array.isArray(node)) return node.map(visit);
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([key, inner]) => [key, visit(inner)]));
    return node;
  };
  return { value: visit(value) as T, redacted };
}
