// Are the Istio pins of tools.json behind? Reads Istio's published releases (GitHub's releases
// API of istio/istio, or a mirror of it) and lists, for each supported minor, a newer patch, and
// any newer minor. When the list cannot be read it says so plainly: "could not check" is never
// reported as "up to date".
import got from 'got';
import { z } from 'zod';
import { pins } from './pins';

export const DEFAULT_RELEASES_URL = 'https://api.github.com/repos/istio/istio/releases?per_page=100';

// The fields of GitHub's "list releases" answer that matter here
// (https://docs.github.com/en/rest/releases/releases#list-releases).
const releasesSchema = z.array(z.object({ tag_name: z.string(), draft: z.boolean().optional(), prerelease: z.boolean().optional() }));

type Version = [number, number, number];

function parse(version: string): Version | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(version);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

const minorOf = (v: Version) => `${v[0]}.${v[1]}`;
const compare = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
const show = (v: Version) => v.join('.');

export type PinsReport = { state: 'current' | 'behind'; lines: string[] } | { state: 'unknown'; lines: string[] };

/** Compares the supported pins with the released versions (pre-releases and drafts are ignored). */
export function comparePins(supported: readonly string[], released: readonly string[]): PinsReport {
  const stable = released.map(parse).filter((v): v is Version => v !== undefined);
  const newestPerMinor = new Map<string, Version>();
  for (const v of stable) {
    const known = newestPerMinor.get(minorOf(v));
    if (!known || compare(v, known) > 0) newestPerMinor.set(minorOf(v), v);
  }
  const pinned = supported.map((s) => parse(s)!);
  const lines: string[] = [];
  for (const pin of pinned) {
    const newest = newestPerMinor.get(minorOf(pin));
    if (newest && compare(newest, pin) > 0) lines.push(`Istio ${minorOf(pin)}: ${show(newest)} is released, the pin is ${show(pin)}`);
  }
  const newestPinned = pinned.reduce((a, b) => (compare(a, b) > 0 ? a : b));
  const newerMinors = [...newestPerMinor.values()].filter((v) => v[0] > newestPinned[0] || (v[0] === newestPinned[0] && v[1] > newestPinned[1]));
  for (const v of newerMinors.sort(compare)) lines.push(`Istio ${minorOf(v)}: a newer minor (${show(v)}) is released and not pinned`);
  if (lines.length === 0) return { state: 'current', lines: [`Istio pins are current: ${supported.join(', ')} (the newest patch of each pinned minor)`] };
  return { state: 'behind', lines: ['pins are behind (targets/kind/tools.json):', ...lines.map((line) => `  ${line}`)] };
}

/** Fetches the release list and compares; a network or format failure gives state "unknown". */
export async function checkPins(releasesUrl: string, options: { timeoutMs?: number } = {}): Promise<PinsReport> {
  let body: unknown;
  try {
    body = await got(releasesUrl, { timeout: { request: options.timeoutMs ?? 15_000 }, retry: { limit: 1 }, headers: { accept: 'application/vnd.github+json' } }).json();
  } catch (error) {
    const reason = (error as { code?: string }).code ?? (error instanceof Error ? error.message : String(error));
    return { state: 'unknown', lines: [`could not check the Istio pins: ${reason} reading ${releasesUrl} (no network, or a wrong --releases-url); the pins were not compared`] };
  }
  const parsed = releasesSchema.safeParse(body);
  if (!parsed.success) {
    return { state: 'unknown', lines: [`could not check the Istio pins: ${releasesUrl} did not answer with a list of releases; the pins were not compared`] };
  }
  const released = parsed.data.filter((release) => !release.draft && !release.prerelease).map((release) => release.tag_name);
  return comparePins(pins.istio.supported, released);
}

/** Exit codes of `npm run pins:check`: 0 current, 1 behind, 3 could not check. */
export const PINS_EXIT: Record<PinsReport['state'], number> = { current: 0, behind: 1, unknown: 3 };
