// The real kind, at the pinned version, built from its Go module (cached in CACHE_DIR/tools/go;
// `npm run cluster:prebuild` builds it ahead). kind decodes its config strictly before it looks
// for Docker, so without a daemon a good config gets exactly as far as Docker, and a misspelt
// field is refused by the decoder. DOCKER_HOST points at a socket nobody serves, so this holds on
// machines that do run Docker too (no cluster is ever created here).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadSettings } from '../../helpers/config';
import { ensureGoTool, goTools } from './go-tools';
import { fixtures, kindConfigFor } from './kind-plan';
import { nodeImageFor, pins } from './pins';
import { run } from './run';
import { parseKindVersion } from './tools';

const BUILD_TIMEOUT_MS = 900_000;
let kind: string;
let tmp: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  kind = await ensureGoTool(loadSettings().CACHE_DIR, goTools.kind, (line) => process.stderr.write(`${line}\n`));
  tmp = await mkdtemp(path.join(os.tmpdir(), 'kind-config-'));
  env = { ...process.env, DOCKER_HOST: `unix://${tmp}/no-docker.sock`, KIND_EXPERIMENTAL_PROVIDER: 'docker' };
}, BUILD_TIMEOUT_MS);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function create(config: string) {
  const kubeconfig = path.join(tmp, 'kubeconfig');
  const result = await run([kind, 'create', 'cluster', '--config', config, '--name', 'x', '--image', nodeImageFor({}).image, '--kubeconfig', kubeconfig], { env, timeoutMs: 60_000 });
  return { ...result, wroteKubeconfig: existsSync(kubeconfig) };
}

describe('the real kind', () => {
  test('is the pinned version', async () => {
    const result = await run([kind, 'version'], { env });
    expect(parseKindVersion(result.stdout)).toBe(pins.kind.version);
  });

  test('reads fixtures/kind/cluster.yaml and gets as far as the missing Docker daemon', async () => {
    const result = await create(fixtures.kindConfig);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('ERROR: failed to create cluster: failed to get docker info');
    expect(result.stderr).not.toContain('unable to decode config');
    expect(result.wroteKubeconfig).toBe(false);
  });

  test('refuses a config with a misspelt field, with its strict-decoding error', async () => {
    const misspelt = path.join(tmp, 'misspelt.yaml');
    const original = await readFile(fixtures.kindConfig, 'utf8');
    await writeFile(misspelt, original.replace('hostPort:', 'hostPrt:'));
    const result = await create(misspelt);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/ERROR: failed to create cluster: unable to decode config: yaml: unmarshal errors:\n\s+line \d+: field hostPrt not found in type v1alpha4\.PortMappingAlias/);
    expect(result.stderr).not.toContain('docker info');
  });

  test('also reads the copy cluster:up writes for another KIND_HTTPS_HOST_PORT', async () => {
    const settings = { CACHE_DIR: tmp, KIND_CLUSTER_NAME: 'port-copy', KIND_HTTPS_HOST_PORT: 9443 };
    const copy = await kindConfigFor(settings, true);
    expect(copy).not.toBe(fixtures.kindConfig);
    expect(await readFile(copy, 'utf8')).toMatch(/hostPort: 9443/);
    const result = await create(copy);
    expect(result.stderr).toContain('failed to get docker info');
  });
});
