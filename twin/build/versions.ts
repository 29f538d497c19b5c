// The twin's pinned versions (twin/versions.json), validated once: a bad file stops with one line
// naming the file, the field and what is expected.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../../helpers/config';

export const VERSIONS_FILE = path.join(__dirname, '..', 'versions.json');

const goVersion = z.string().regex(/^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, 'a Go module version like v1.2.3');
const goPath = z.string().regex(/^[a-z0-9.-]+\.[a-z]+(\/[A-Za-z0-9._~-]+)+$/, 'a Go module or package path');
// GOTOOLCHAIN for a module that needs a newer Go than the machine's (fetched from the module proxy).
const toolchain = z.string().regex(/^go\d+\.\d+(\.\d+)?$/, 'a toolchain like go1.27.3').optional();
const comment = z.string().optional();

const istioReleaseSchema = z.strictObject({
  module: goPath,
  version: goVersion,
  /** istio.io/istio/pkg/version.buildVersion: what `istioctl version` shows and the image tag default. */
  buildVersion: z.string().regex(/^\d+\.\d+[0-9A-Za-z.-]*$/, 'an Istio version like 1.31-dev or 1.30.2'),
  gitRevision: z.string().regex(/^[0-9a-f]{7,40}$/, 'a git commit (hex)'),
  /** Image hub and tag `istioctl install` renders (stamped as buildHub; the tag is buildVersion). */
  hub: z.string().regex(/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+$/, 'an image hub like docker.io/istio'),
  tag: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'an image tag'),
  toolchain,
  $comment: comment,
});

const versionsSchema = z
  .strictObject({
    $comment: comment,
    kubernetes: z.strictObject({
      version: goVersion,
      stagingVersion: goVersion,
      gitCommit: z.string().regex(/^([0-9a-f]{40})?$/, 'a full git commit (40 hex digits) or ""'),
      toolchain,
      $comment: comment,
    }),
    etcd: z.strictObject({ module: goPath, version: goVersion, toolchain, $comment: comment }),
    kwok: z.strictObject({ package: goPath, version: goVersion, toolchain, $comment: comment }),
    coredns: z.strictObject({ package: goPath, version: goVersion, toolchain, $comment: comment }),
    goHttpbin: z.strictObject({
      package: goPath,
      version: goVersion,
      images: z.record(z.string(), goVersion),
      toolchain,
      $comment: comment,
    }),
    istio: z.strictObject({
      default: z.string(),
      releases: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a name of letters, digits, . _ -'), istioReleaseSchema),
      $comment: comment,
    }),
  })
  .superRefine((versions, context) => {
    if (!(versions.istio.default in versions.istio.releases)) {
      context.addIssue({
        code: 'custom',
        path: ['istio', 'default'],
        message: `names no release (releases: ${Object.keys(versions.istio.releases).join(', ') || 'none'})`,
      });
    }
    for (const [name, release] of Object.entries(versions.istio.releases)) {
      // istioctl's default image tag is pkg/version.DockerInfo.Tag, which is buildVersion.
      if (release.tag !== release.buildVersion) {
        context.addIssue({ code: 'custom', path: ['istio', 'releases', name, 'tag'], message: `must equal buildVersion (${release.buildVersion}): istioctl renders buildVersion as the image tag` });
      }
    }
    const minor = (v: string) => v.split('.').slice(1, 2).join();
    if (minor(versions.kubernetes.version) !== minor(versions.kubernetes.stagingVersion)) {
      context.addIssue({ code: 'custom', path: ['kubernetes', 'stagingVersion'], message: 'must be v0.<minor>.<patch> of kubernetes.version' });
    }
  });

export type TwinVersions = z.infer<typeof versionsSchema>;
export type IstioRelease = z.infer<typeof istioReleaseSchema>;

/** Parses the versions file's text; throws UsageError with one line naming the file and field. */
export function parseVersions(text: string, file = VERSIONS_FILE): TwinVersions {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not JSON (${(error as Error).message}): fix the file`);
  }
  const parsed = versionsSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = issue.path.map(String).join('.') || '(top level)';
  throw new UsageError(`${file}: ${where}: ${issueText(issue)}`);
}

function issueText(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return `expected ${issue.expected}`;
  if (issue.code === 'unrecognized_keys') return `unknown field ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_format') return `expected ${issue.message}`;
  return issue.message;
}

export function loadVersions(file = VERSIONS_FILE): TwinVersions {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return parseVersions(text, file);
}

/** The Istio release a name picks (undefined: the default); UsageError naming the known ones. */
export function istioRelease(versions: TwinVersions, name?: string): { name: string; release: IstioRelease } {
  const picked = name ?? versions.istio.default;
  const release = versions.istio.releases[picked];
  if (!release) {
    throw new UsageError(`no Istio release named "${picked}" in ${VERSIONS_FILE}: use one of ${Object.keys(versions.istio.releases).join(', ')}`);
  }
  return { name: picked, release };
}
