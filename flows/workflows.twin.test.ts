// The GitHub workflows, checked by the real actionlint (built from its Go module at the version
// pinned in tools.json, cached in CACHE_DIR/tools/go; `npm run cluster:prebuild` builds it ahead),
// and read for what the kind target needs from them.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { loadSettings } from '../helpers/config';
import { ensureGoTool, goTools } from '../targets/kind/go-tools';
import { repoRoot } from '../targets/kind/kind-plan';
import { pins } from '../targets/kind/pins';
import { run } from '../targets/kind/run';
import { CATALOGUES } from '../suites/registry';
import { checkedRepeat } from './repeat-runs';

const workflows = path.join(repoRoot, '.github', 'workflows');
// A cold build of actionlint takes a minute or two on a busy 2-core machine; cached it is instant.
const BUILD_TIMEOUT_MS = 900_000;
// The newest major of each action the workflows use, as the pinned actionlint (v1.7.12) knows them
// from the actions' own repositories (popular_actions.go of github.com/rhysd/actionlint@v1.7.12).
const CURRENT_MAJORS: Record<string, string> = {
  'actions/checkout': 'v6',
  'actions/setup-node': 'v6',
  'actions/setup-go': 'v6',
  'actions/cache': 'v5',
  'actions/upload-artifact': 'v7',
};

let actionlint: string;
let tmp: string;
beforeAll(async () => {
  actionlint = await ensureGoTool(loadSettings().CACHE_DIR, goTools.actionlint, (line) => process.stderr.write(`${line}\n`));
  tmp = await mkdtemp(path.join(os.tmpdir(), 'workflows-'));
}, BUILD_TIMEOUT_MS);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, { env?: Record<string, string>; strategy?: { matrix: { istio: string } }; steps: { uses?: string; run?: string; with?: Record<string, unknown>; if?: string }[] }>;
}

async function workflow(name: string): Promise<Workflow> {
  return parse(await readFile(path.join(workflows, name), 'utf8')) as Workflow;
}

describe('the workflows', () => {
  test('actionlint finds nothing in conformance.yml and selftest.yml', async () => {
    const result = await run([actionlint, '-no-color', 'conformance.yml', 'selftest.yml'], { cwd: workflows });
    expect({ exitCode: result.exitCode, output: result.stdout + result.stderr }).toEqual({ exitCode: 0, output: '' });
  });

  test('actionlint does find mistakes (so the check above can fail)', async () => {
    const broken = (await readFile(path.join(workflows, 'conformance.yml'), 'utf8')).replace('node-version-file:', 'node-version-fiel:').replace("'17 3 * * *'", "'17 25 * * *'");
    await writeFile(path.join(tmp, 'broken.yml'), broken);
    const result = await run([actionlint, '-no-color', 'broken.yml'], { cwd: tmp });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('input "node-version-fiel" is not defined in action "actions/setup-node@v6"');
    expect(result.stdout).toContain('invalid CRON format "17 25 * * *"');
  });

  test('conformance.yml: nightly and on demand, TARGET=kind per supported Istio release, npm ci, npm test repeated, report uploaded', async () => {
    const flow = await workflow('conformance.yml');
    expect(Object.keys(flow.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    const job = flow.jobs.kind!;
    const defaultList = /fromJSON\(inputs\.istio-versions \|\| '(\[.*\])'\)/.exec(job.strategy!.matrix.istio)?.[1];
    expect(JSON.parse(defaultList ?? 'null')).toEqual(pins.istio.supported);
    expect(job.env).toMatchObject({ TARGET: 'kind', ISTIO_VERSION: '${{ matrix.istio }}' });
    const runs = job.steps.map((step) => step.run?.trim()).filter(Boolean);
    expect(runs).toContain('npm ci --no-audit --no-fund');
    const npmTest = runs.findIndex((line) => /^npm test\b/.test(line ?? ''));
    expect(npmTest).toBeGreaterThan(runs.indexOf('npm ci --no-audit --no-fund'));
    const upload = job.steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'));
    expect(upload).toMatchObject({ if: 'always()', with: { 'if-no-files-found': 'warn' } });
  });

  test('conformance.yml: the nightly runs the catalogue with --repeat, and keeps the HTML report, its screenshot and the diagnostics', async () => {
    const job = (await workflow('conformance.yml')).jobs.kind!;
    const npmTest = job.steps.map((step) => step.run?.trim() ?? '').find((line) => /^npm test\b/.test(line));
    const times = /^npm test -- .*--repeat[ =](\d+)\b/.exec(npmTest ?? '')?.[1];
    expect(Number(times)).toBeGreaterThanOrEqual(2);
    // The flag is the one npm test accepts (flows/repeat-runs.ts).
    expect(checkedRepeat(times)).toBe(Number(times));
    const upload = job.steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'))!;
    const paths = String(upload.with!.path).trim().split('\n').map((line) => line.trim());
    // The summary, its screenshot, and every catalogue's folder (its page, JSON, JUnit, repeat.json, diagnostics).
    expect(paths).toEqual(expect.arrayContaining(['reports/report.html', 'reports/summary.json', 'reports/report.png', ...CATALOGUES.map((entry) => `reports/${entry.id}/`)]));
    // Every path is under reports/: the artifact keeps the folder's layout, so the page's relative links hold.
    expect(paths.every((file) => file.startsWith('reports/'))).toBe(true);
    expect(upload.if).toBe('always()');
  });

  test('every action is used at its current major', async () => {
    const used = new Set<string>();
    for (const name of ['conformance.yml', 'selftest.yml']) {
      for (const job of Object.values((await workflow(name)).jobs)) for (const step of job.steps) if (step.uses) used.add(step.uses);
    }
    const stale = [...used].filter((uses) => {
      const [action, major] = uses.split('@') as [string, string];
      return CURRENT_MAJORS[action] !== major;
    });
    expect(stale).toEqual([]);
  });

  test('conformance.yml: a job runs `npm run pins:check` and turns "behind" into a warning', async () => {
    const pinsJob = (await workflow('conformance.yml')).jobs.pins!;
    const check = pinsJob.steps.find((step) => step.run?.includes('npm run -s pins:check'));
    expect(check?.run).toMatch(/1\) echo "::warning title=Istio pins are behind::/);
  });

  test('selftest.yml: bash .ci/run on every push and pull request', async () => {
    const flow = await workflow('selftest.yml');
    expect(Object.keys(flow.on).sort()).toEqual(['pull_request', 'push']);
    expect(flow.jobs.selftest!.steps.some((step) => step.run?.includes('bash .ci/run'))).toBe(true);
  });
});
