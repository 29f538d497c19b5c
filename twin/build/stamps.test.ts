// The built binaries say the versions they were pinned to. These run only what is already in the
// cache (a cold build takes many minutes); a unit that is not built gets a test that says so and
// checks the cache reports it, instead of a silent skip. .ci/run builds first, so in CI they run.
import { describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { binaryPath, listUnits, type TwinBinary } from './index';
import { istioRelease, loadVersions } from './versions';

const run = promisify(execFile);
const versions = loadVersions();
const istio = istioRelease(versions);
const { units } = listUnits();

async function output(binary: TwinBinary, args: string[]): Promise<string> {
  return (await run(binaryPath(binary), args, { timeout: 20_000 })).stdout;
}

function whenCached(component: string, what: string, check: () => Promise<void>): void {
  const unit = units.find((u) => u.component === component)!;
  if (unit.state === 'cached') {
    test(what, check, 30_000);
    return;
  }
  test(`${what}: not checked, ${unit.label} is ${unit.state} in the cache (npm run twin:build builds it)`, () => {
    expect(['missing', 'stale']).toContain(unit.state);
    expect(listUnits().units.find((u) => u.component === component)!.state).toBe(unit.state);
  });
}

describe('the cached binaries carry their pinned versions', () => {
  whenCached('kube', `each control-plane component says Kubernetes ${versions.kubernetes.version}`, async () => {
    for (const name of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy'] as const) {
      expect(await output(name, ['--version'])).toBe(`Kubernetes ${versions.kubernetes.version}\n`);
    }
  });

  whenCached('kubectl', `kubectl version --client says ${versions.kubernetes.version}`, async () => {
    expect(await output('kubectl', ['version', '--client'])).toContain(`Client Version: ${versions.kubernetes.version}\n`);
    const json = JSON.parse(await output('kubectl', ['version', '--client', '-o', 'json'])) as { clientVersion: Record<string, string> };
    expect(json.clientVersion).toMatchObject({ gitVersion: versions.kubernetes.version, gitTreeState: 'clean', major: '1', minor: versions.kubernetes.version.split('.')[1] });
  });

  whenCached('istio', `istioctl, pilot-discovery and pilot-agent say Istio ${istio.release.buildVersion}`, async () => {
    expect(await output('istioctl', ['version', '--remote=false'])).toBe(`client version: ${istio.release.buildVersion}\n`);
    for (const name of ['pilot-discovery', 'pilot-agent'] as const) {
      expect(await output(name, ['version', '--short'])).toBe(`client version: ${istio.release.buildVersion}\n`);
    }
    const long = await output('istioctl', ['version', '--remote=false', '-o', 'json']);
    expect(JSON.parse(long)).toMatchObject({ clientVersion: { version: istio.release.buildVersion, revision: istio.release.gitRevision, status: 'Clean', tag: istio.release.tag } });
  });
});
