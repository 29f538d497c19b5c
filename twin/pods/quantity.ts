// Kubernetes resource quantities ("500m", "1Gi", "2e3") as numbers, for the downward API's
// resourceFieldRef (GOMAXPROCS and GOMEMLIMIT of Istio's pods come from limits.cpu / limits.memory).
const suffixes: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

export function parseQuantity(text: string | number): number {
  if (typeof text === 'number') return text;
  const found = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/.exec(text.trim());
  if (!found) throw new Error(`not a quantity: ${JSON.stringify(text)}`);
  const base = Number(found[1]);
  if (found[2]) return base * 10 ** Number(found[2].slice(1));
  return base * suffixes[found[3] ?? '']!;
}
