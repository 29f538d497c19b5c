// Downloads a pinned tool once into CACHE_DIR/tools/<name>@<version>/, verifying its sha256
// before anything is kept: the file is written into a private partial folder, hashed as it
// streams, checked, unpacked, stamped, and only then renamed into place. A mismatch, an HTTP
// error or no network stops with one line and leaves nothing in the cache.
// A cache hit needs no network: the stamp records what the download was checked against, and the
// binary's own hash is checked again (a cheap read) so a damaged cache is not used.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import got, { HTTPError, RequestError } from 'got';
import { UsageError } from '../../helpers/config';
import { checksumOrigin, missingChecksumLine, type ToolAsset } from './pins';
import { formatBytes, formatDuration } from './progress';
import { firstLine, run } from './run';

export const STAMP_FILE = '.tool.json';

export interface Stamp {
  name: string;
  version: string;
  platform: string;
  url: string;
  /** sha256 of the downloaded file (the archive, or the binary itself). */
  sha256: string;
  sha256Source: ToolAsset['sha256Source'];
  /** sha256 of the binary as kept, checked on every cache hit. */
  binarySha256: string;
  downloadedAt: string;
}

export interface DownloadOptions {
  cacheDir: string;
  log?: (line: string) => void;
  /** Give up when the server sends nothing for this long (ms). */
  idleTimeoutMs?: number;
  /** How often a long download says how far it got (ms). */
  heartbeatMs?: number;
  signal?: AbortSignal;
}

export function toolsRoot(cacheDir: string): string {
  return path.join(path.resolve(cacheDir), 'tools');
}

export function toolDir(cacheDir: string, asset: Pick<ToolAsset, 'name' | 'version'>): string {
  return path.join(toolsRoot(cacheDir), `${asset.name}@${asset.version}`);
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

export type CacheLookup = { state: 'hit'; binary: string; stamp: Stamp } | { state: 'miss'; why: string };

/** The cached binary, if it is there, intact, and was checked against the checksum now pinned. */
export async function lookupCache(asset: ToolAsset, cacheDir: string): Promise<CacheLookup> {
  const dir = toolDir(cacheDir, asset);
  let stamp: Stamp;
  try {
    stamp = JSON.parse(await readFile(path.join(dir, STAMP_FILE), 'utf8')) as Stamp;
  } catch {
    return { state: 'miss', why: 'not downloaded yet' };
  }
  if (stamp.platform !== asset.platform.key) return { state: 'miss', why: `cached for ${stamp.platform}` };
  if (asset.sha256 && stamp.sha256 !== asset.sha256) return { state: 'miss', why: 'cached copy was checked against another checksum' };
  const binary = path.join(dir, asset.binary);
  try {
    if ((await sha256File(binary)) !== stamp.binarySha256) return { state: 'miss', why: 'cached binary changed since it was verified' };
  } catch {
    return { state: 'miss', why: 'cached binary missing' };
  }
  return { state: 'hit', binary, stamp };
}

/** The binary of `asset`, from the cache or downloaded and verified now. */
export async function ensureDownloaded(asset: ToolAsset, options: DownloadOptions): Promise<string> {
  const cached = await lookupCache(asset, options.cacheDir);
  if (cached.state === 'hit') return cached.binary;
  return download(asset, options);
}

/** Downloads, verifies and installs `asset` into the cache (replacing a stale copy). */
export async function download(asset: ToolAsset, options: DownloadOptions): Promise<string> {
  const expected = asset.sha256 ?? (asset.sha256Url ? await fetchPublishedChecksum(asset, options) : undefined);
  if (!expected) throw new UsageError(missingChecksumLine(asset));
  const log = options.log ?? (() => {});
  const root = toolsRoot(options.cacheDir);
  await mkdir(root, { recursive: true });
  // A private folder per attempt: a crash leaves at most a `.partial-*` folder, never a half tool.
  const partial = await mkdtemp(path.join(root, `.partial-${asset.name}@${asset.version}-`));
  try {
    const file = path.join(partial, 'download');
    log(`downloading ${asset.name} ${asset.version} (${asset.platform.key}) from ${asset.url}`);
    const { bytes, sha256, ms } = await fetchToFile(asset, file, options);
    if (sha256 !== expected) {
      throw new UsageError(
        `checksum mismatch for ${asset.name} ${asset.version} from ${asset.url}: expected sha256 ${expected}` +
          ` (${checksumOrigin(asset)}), got ${sha256}; nothing was kept` +
          ` (a damaged download, a wrong mirror in TOOLS_BASE_URL, or a changed release)`,
      );
    }
    log(`downloaded ${asset.name} ${asset.version}: ${formatBytes(bytes)} in ${formatDuration(ms)}, sha256 verified`);
    const binary = path.join(partial, asset.binary);
    if (asset.archive === 'tar.gz') {
      await unpack(asset, file, partial);
      await rm(file);
    } else {
      await rename(file, binary);
    }
    await chmod(binary, 0o755);
    const stamp: Stamp = {
      name: asset.name,
      version: asset.version,
      platform: asset.platform.key,
      url: asset.url,
      sha256,
      sha256Source: asset.sha256Source,
      binarySha256: await sha256File(binary),
      downloadedAt: new Date().toISOString(),
    };
    // The stamp is written last inside the partial folder, then the folder is renamed whole.
    await writeFile(path.join(partial, STAMP_FILE), `${JSON.stringify(stamp, null, 2)}\n`);
    const dir = toolDir(options.cacheDir, asset);
    await rm(dir, { recursive: true, force: true });
    await rename(partial, dir);
    return path.join(dir, asset.binary);
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
}

/**
 * The sha256 a release publishes beside its asset: `sha256sum` output, "<64 hex>  <file name>".
 * A file that cannot be fetched, or that names another asset, stops the download before it starts.
 */
export async function fetchPublishedChecksum(asset: ToolAsset, options: Pick<DownloadOptions, 'idleTimeoutMs' | 'signal'>): Promise<string> {
  const at = asset.sha256Url!;
  let body: string;
  try {
    body = await got(at, {
      timeout: { request: options.idleTimeoutMs ?? 30_000 },
      retry: { limit: 1 },
      ...(options.signal ? { signal: options.signal } : {}),
    }).text();
  } catch (error) {
    throw new UsageError(
      `could not fetch the published checksum of ${asset.name} ${asset.version}: ${describeFailure(error)} (${at}); nothing was downloaded; ` +
        `${downloadAdvice(asset)}, or set ${asset.sha256Setting} to the sha256 Istio publishes there`,
    );
  }
  const parsed = parsePublishedChecksum(body, path.posix.basename(new URL(asset.url).pathname));
  if (typeof parsed !== 'string') {
    throw new UsageError(`the published checksum of ${asset.name} ${asset.version} at ${at} ${parsed.problem}; nothing was downloaded; check TOOLS_BASE_URL`);
  }
  return parsed;
}

/** Reads `sha256sum` output for `fileName`; a bare digest is accepted too. */
export function parsePublishedChecksum(body: string, fileName: string): string | { problem: string } {
  const match = /^\s*([a-fA-F0-9]{64})(?:\s+\*?(\S+))?\s*$/m.exec(body);
  if (!match) return { problem: 'holds no sha256 (expected "<64 hex digits>  <file name>")' };
  const named = match[2];
  if (named && path.posix.basename(named) !== fileName) return { problem: `is for ${named}, not ${fileName}` };
  return match[1]!.toLowerCase();
}

async function fetchToFile(asset: ToolAsset, file: string, options: DownloadOptions): Promise<{ bytes: number; sha256: string; ms: number }> {
  const started = Date.now();
  const hash = createHash('sha256');
  let bytes = 0;
  let total: number | undefined;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const stream = got.stream(asset.url, {
    timeout: { connect: 10_000, response: options.idleTimeoutMs ?? 30_000, read: options.idleTimeoutMs ?? 30_000 },
    retry: { limit: 0 }, // a stream cannot be retried once bytes flowed; a failed run is simply run again
    ...(options.signal ? { signal: options.signal } : {}),
  });
  stream.on('response', (response: { headers: Record<string, string | string[] | undefined> }) => {
    const length = Number(response.headers['content-length']);
    if (Number.isFinite(length) && length > 0) total = length;
  });
  const heartbeat = setInterval(() => {
    const of = total ? ` of ${formatBytes(total)}` : '';
    options.log?.(`still downloading ${asset.name} ${asset.version}: ${formatBytes(bytes)}${of} (${formatDuration(Date.now() - started)})`);
  }, options.heartbeatMs ?? 10_000);
  heartbeat.unref();
  try {
    await pipeline(stream, counter, createWriteStream(file, { mode: 0o644 }));
  } catch (error) {
    throw new UsageError(`downloading ${asset.name} ${asset.version} failed: ${describeFailure(error)} (${asset.url}); ${downloadAdvice(asset)}`);
  } finally {
    clearInterval(heartbeat);
  }
  return { bytes, sha256: hash.digest('hex'), ms: Date.now() - started };
}

function describeFailure(error: unknown): string {
  if (error instanceof HTTPError) return `HTTP ${error.response.statusCode} ${error.response.statusMessage ?? ''}`.trim();
  if (error instanceof RequestError) return error.code ? `${error.code}` : error.message;
  return error instanceof Error ? error.message : String(error);
}

function downloadAdvice(asset: ToolAsset): string {
  return `check the network or TOOLS_BASE_URL, or install ${asset.name} ${asset.version} yourself on PATH`;
}

// The istioctl archive holds the binary at its top; tar is on every Linux and macOS.
async function unpack(asset: ToolAsset, archive: string, into: string): Promise<void> {
  const unpacked = path.join(into, 'unpacked');
  await mkdir(unpacked);
  const result = await run(['tar', '-xzf', archive, '-C', unpacked]);
  if (result.exitCode !== 0) {
    throw new UsageError(`unpacking ${asset.name} ${asset.version} failed: ${firstLine(result)} (${asset.url})`);
  }
  const found = await findFile(unpacked, asset.binary);
  if (!found) throw new UsageError(`the ${asset.name} ${asset.version} archive from ${asset.url} holds no file named ${asset.binary}`);
  await rename(found, path.join(into, asset.binary));
  await rm(unpacked, { recursive: true, force: true });
}

async function findFile(dir: string, name: string, depth = 2): Promise<string | undefined> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isFile() && entry.name === name) return full;
    if (entry.isDirectory() && depth > 0) {
      const inner = await findFile(full, name, depth - 1);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** True when the path is an existing regular file (for callers that only need to know). */
export async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
