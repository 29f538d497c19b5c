// The Go wrapper modules pin versions too (go.mod cannot read versions.json): check they agree, so
// a pin changed in one place only stops the build with one line instead of building the old one.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../helpers/config';
import { GO_DIR } from './recipes';
import type { TwinVersions } from './versions';

/** The version go.mod requires a module at (a `require` line or block entry), if any. */
export function requiredVersion(goMod: string, module: string): string | undefined {
  const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`^(?:require\\s+|\\s+)${escaped}\\s+(v\\S+)`, 'm').exec(goMod);
  return match?.[1];
}

/** The `replace X => Y vZ` targets of go.mod: module -> version. */
export function replacedVersions(goMod: string): Map<string, string> {
  const replaced = new Map<string, string>();
  for (const match of goMod.matchAll(/^\s*(?:replace\s+)?(\S+)\s+=>\s+(\S+)\s+(v\S+)\s*$/gm)) {
    replaced.set(match[1]!, match[3]!);
  }
  return replaced;
}

/** Problems between versions.json and the wrapper modules' go.mod texts; empty when they agree. */
export function wrapperMismatches(versions: TwinVersions, kubeGoMod: string, etcdGoMod: string, corednsGoMod?: string): string[] {
  const problems: string[] = [];
  const kubePath = 'twin/build/go/kube/go.mod';
  const kube = requiredVersion(kubeGoMod, 'k8s.io/kubernetes');
  if (kube !== versions.kubernetes.version) {
    problems.push(`${kubePath} requires k8s.io/kubernetes ${kube ?? '(nothing)'}, versions.json pins ${versions.kubernetes.version}`);
  }
  const replaced = replacedVersions(kubeGoMod);
  const staging = [...replaced].filter(([module]) => module.startsWith('k8s.io/'));
  if (staging.length === 0) problems.push(`${kubePath} replaces no k8s.io staging module`);
  for (const [module, version] of staging) {
    if (version !== versions.kubernetes.stagingVersion) {
      problems.push(`${kubePath} replaces ${module} with ${version}, versions.json pins staging ${versions.kubernetes.stagingVersion}`);
      break;
    }
  }
  const etcd = requiredVersion(etcdGoMod, versions.etcd.module);
  if (etcd !== versions.etcd.version) {
    problems.push(`twin/build/go/etcd/go.mod requires ${versions.etcd.module} ${etcd ?? '(nothing)'}, versions.json pins ${versions.etcd.version}`);
  }
  if (corednsGoMod !== undefined) {
    const coredns = requiredVersion(corednsGoMod, versions.coredns.package);
    if (coredns !== versions.coredns.version) {
      problems.push(`twin/build/go/coredns/go.mod requires ${versions.coredns.package} ${coredns ?? '(nothing)'}, versions.json pins ${versions.coredns.version}`);
    }
  }
  return problems;
}

export function checkWrapperModules(versions: TwinVersions, goDir = GO_DIR): void {
  const read = (name: string) => readFileSync(path.join(goDir, name, 'go.mod'), 'utf8');
  const problems = wrapperMismatches(versions, read('kube'), read('etcd'), read('coredns'));
  if (problems.length > 0) {
    throw new UsageError(`${problems[0]}: update the wrapper module as twin/build/README.md says ("Changing a pin")`);
  }
}
