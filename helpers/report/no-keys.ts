// Reports never hold key material: steps name certificates by subject and serial only, and every
// writer refuses a text that carries a PEM private key anyway.
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

export function refuseKeyMaterial(text: string): void {
  if (PRIVATE_KEY.test(text)) throw new Error('refusing to write a report that contains private key material');
}
