// Distinguished names: the attribute short names callers use, and their OIDs for the builders.
// Encoding as OpenSSL's req writes it: countryName as PrintableString, emailAddress as IA5String,
// the rest as UTF8String.

const attributeOids = {
  C: '2.5.4.6',
  ST: '2.5.4.8',
  L: '2.5.4.7',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  CN: '2.5.4.3',
  emailAddress: '1.2.840.113549.1.9.1',
} as const;

export type StringEncoding = 'printableString' | 'ia5String' | 'utf8String';

export interface NameAttribute {
  oid: string;
  value: string;
  encoding: StringEncoding;
}

function encodingOf(oid: string): StringEncoding {
  if (oid === attributeOids.C) return 'printableString';
  if (oid === attributeOids.emailAddress) return 'ia5String';
  return 'utf8String';
}

/** The subject record as ordered attributes; throws on a name it does not know or an empty DN. */
export function nameAttributes(subject: Record<string, string>): NameAttribute[] {
  const entries = Object.entries(subject);
  if (entries.length === 0) throw new RangeError('a certificate subject needs at least one attribute (e.g. CN)');
  return entries.map(([name, value]) => {
    const oid = (attributeOids as Record<string, string>)[name];
    if (oid === undefined) throw new RangeError(`unknown subject attribute ${name}: use ${Object.keys(attributeOids).join(', ')}`);
    if (name === 'C' && !/^[A-Z]{2}$/.test(value)) throw new RangeError(`subject C must be a two-letter country code, not ${JSON.stringify(value)}`);
    return { oid, value, encoding: encodingOf(oid) };
  });
}

/** A record of a DN as Node's X509Certificate prints it ("C=US\nST=Denial\n…"). */
export function parseNodeDn(text: string | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const line of (text ?? '').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) record[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return record;
}

/** A subject record as one line, the way OpenSSL prints it ("C=US, ST=Denial, …"). */
export function formatDn(record: Record<string, string>): string {
  return Object.entries(record)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
}
