// Which target `npm test` runs against, and why, in one first line. TARGET picks it; unset
// (auto) it is kind when a Docker daemon answers, else the twin. The current kubeconfig context is
// used only when asked for (TARGET=existing): it may be production.
import { which } from 'zx';
import { UsageError, type Settings } from '../../helpers/config';
import { checkDocker, EXISTING_ALTERNATIVE, kindPrerequisiteError, sentence, type Check } from './prerequisites';

export type TargetName = 'kind' | 'existing' | 'twin';

export interface TargetDecision {
  target: TargetName;
  /** Why, in words (the report records it). */
  why: string;
  /** The runner's first line. */
  line: string;
}

/** What the decision looks at (replaced in tests). */
export interface TargetChecks {
  docker(): Promise<Check>;
  twin(): Promise<Check>;
}

/** The twin runs processes in network namespaces it creates: Linux, root, and Go to build them. */
export async function checkTwinHost(
  platform: NodeJS.Platform = process.platform,
  uid: number | undefined = process.getuid?.(),
  findGo: () => Promise<string | null> = () => which('go', { nothrow: true }),
): Promise<Check> {
  const missing: string[] = [];
  if (platform !== 'linux') missing.push(`Linux (this is ${platform})`);
  if (uid !== 0) missing.push('root');
  if (!(await findGo())) missing.push('Go on PATH');
  if (missing.length > 0) return { ok: false, reason: `the twin needs ${missing.join(', ')}` };
  return { ok: true, detail: 'Linux, root and Go are here' };
}

export const machineTargetChecks: TargetChecks = {
  docker: () => checkDocker(),
  twin: () => checkTwinHost(),
};

function decision(target: TargetName, why: string): TargetDecision {
  return { target, why, line: `target: ${target} (${why})` };
}

/** Decides the target; a target that cannot run here is a one-line UsageError naming the others. */
export async function chooseTarget(settings: Pick<Settings, 'TARGET' | 'KUBECONFIG'>, checks: TargetChecks = machineTargetChecks): Promise<TargetDecision> {
  switch (settings.TARGET) {
    case 'existing': {
      const where = settings.KUBECONFIG ? `the current context of KUBECONFIG=${settings.KUBECONFIG}` : 'the current kubeconfig context';
      return decision('existing', `TARGET=existing: ${where}`);
    }
    case 'kind': {
      const docker = await checks.docker();
      if (!docker.ok) throw kindPrerequisiteError('a Docker daemon that answers', docker.reason);
      return decision('kind', `TARGET=kind; ${docker.detail} answers`);
    }
    case 'twin': {
      const twin = await checks.twin();
      if (!twin.ok) {
        throw new UsageError(`TARGET=twin cannot run here: ${sentence(twin.reason)} Instead, use TARGET=kind where a Docker daemon runs, or ${EXISTING_ALTERNATIVE.replace(/^use /, '')}`);
      }
      return decision('twin', 'TARGET=twin');
    }
    case 'auto': {
      const docker = await checks.docker();
      if (docker.ok) return decision('kind', `TARGET is auto and a Docker daemon answers: ${docker.detail}`);
      const twin = await checks.twin();
      const noDocker = `no Docker daemon answers (${docker.reason.trim().replace(/[.\s]+$/, '')})`;
      if (twin.ok) return decision('twin', `TARGET is auto and ${noDocker}; the twin runs on this machine`);
      throw new UsageError(`no target can run here: ${noDocker}, and ${sentence(twin.reason)} Start Docker for TARGET=kind, or ${EXISTING_ALTERNATIVE}`);
    }
  }
}
