// Tools the self-tests build from their Go modules instead of downloading: the real kind (to check
// that it reads fixtures/kind/cluster.yaml) and actionlint (to check the workflows). Each is built
// once per version into CACHE_DIR/tools/go/<name>@<version>/ with `go install` (Go's checksum
// database verifies the module), at low priority on a shared machine, and stamped when complete.
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../../helpers/config';
import { isFile, toolsRoot } from './download';
import { pins } from './pins';
import { step, type Log } from './progress';
import { firstLine, run } from './run';

export interface GoTool {
  name: string;
  goPackage: string;
  version: string;
  binary: string;
}

export const goTools = {
  kind: { name: 'kind', goPackage: pins.kind.goPackage, version: pins.kind.version, binary: pins.kind.binary },
  actionlint: { name: 'actionlint', goPackage: pins.actionlint.goPackage, version: pins.actionlint.version, binary: pins.actionlint.binary },
} satisfies Record<string, GoTool>;

const STAMP = '.go-install.json';

export function goToolDir(cacheDir: string, tool: GoTool): string {
  return path.join(toolsRoot(cacheDir), 'go', `${tool.name}@${tool.version}`);
}

/** The built binary, when a complete build of this version is in the cache. */
export async function cachedGoTool(cacheDir: string, tool: GoTool): Promise<string | undefined> {
  const dir = goToolDir(cacheDir, tool);
  try {
    const stamp = JSON.parse(await readFile(path.join(dir, STAMP), 'utf8')) as { goPackage?: string; version?: string };
    if (stamp.goPackage !== tool.goPackage || stamp.version !== tool.version) return undefined;
  } catch {
    return undefined;
  }
  const binary = path.join(dir, tool.binary);
  return (await isFile(binary)) ? binary : undefined;
}

/** The cached binary, or a fresh `nice -n 10 go install <package>@<version>` into the cache. */
export async function ensureGoTool(cacheDir: string, tool: GoTool, log: Log = () => {}): Promise<string> {
  const cached = await cachedGoTool(cacheDir, tool);
  if (cached) return cached;
  const root = path.join(toolsRoot(cacheDir), 'go');
  await mkdir(root, { recursive: true });
  const partial = await mkdtemp(path.join(root, `.partial-${tool.name}@${tool.version}-`));
  try {
    await step(`building ${tool.name} ${tool.version} from ${tool.goPackage} (go install)`, log, async () => {
      const result = await run(['nice', '-n', '10', 'go', 'install', '-trimpath', `${tool.goPackage}@${tool.version}`], {
        env: { ...process.env, GOBIN: partial, CGO_ENABLED: '0' },
        timeoutMs: 1_800_000,
      });
      if (result.exitCode !== 0) {
        const reason = result.exitCode === 127 ? 'go is not on PATH (install Go to build it)' : firstLine(result);
        throw new UsageError(`building ${tool.name} ${tool.version} failed: ${reason}`);
      }
    });
    await writeFile(path.join(partial, STAMP), `${JSON.stringify({ goPackage: tool.goPackage, version: tool.version, builtAt: new Date().toISOString() }, null, 2)}\n`);
    const dir = goToolDir(cacheDir, tool);
    await rm(dir, { recursive: true, force: true });
    await rename(partial, dir);
    return path.join(dir, tool.binary);
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
}
