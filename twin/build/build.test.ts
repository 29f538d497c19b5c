import { describe, expect, test } from '@jest/globals';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../helpers/config';
import { buildUnit, type BuildOptions } from './build';
import { cacheKey, cacheState, STAMP_FILE, unitDir } from './cache';
import { ensureBinaries } from './index';
import { formatDuration, GoOutput, renderFailure, TwinBuildError } from './progress';
import { estimateMs, readBuildRecords } from './timings';
import type { BuildUnit } from './recipes';
import { tempDirs } from '../../helpers/testing/temp-dirs';

const tempDir = tempDirs();

// A stand-in for go: `-n` (the download phase) succeeds at once; the build phase runs SCRIPT with
// $GOBIN set to the unit's temporary folder, as `go install` would.
const fakeGo = (script: string) => ['sh', '-c', `if [ "$2" = -n ]; then exit 0; fi; ${script}`, 'fake-go'];

const unit: BuildUnit = {
  component: 'kwok',
  version: 'v0.8.0',
  label: 'kwok v0.8.0',
  files: { kwok: 'kwok' },
  links: {},
  steps: [{ args: ['install', 'sigs.k8s.io/kwok/cmd/kwok@v0.8.0'], env: { GOBIN: '{out}' }, produces: ['kwok'] }],
  sources: [],
};

function options(script: string, extra: Partial<BuildOptions> = {}) {
  const lines: string[] = [];
  const cacheDir = tempDir('twin-build-');
  const built: BuildOptions = { cacheDir, progress: (line) => lines.push(line), heartbeatMs: 30_000, goCommand: fakeGo(script), goVersion: 'go1.26.8', ...extra };
  return { built, lines, dir: unitDir(cacheDir, unit) };
}

describe('building a unit', () => {
  test('the binary is renamed into place and the stamp written last; progress says what and how long', async () => {
    const { built, lines, dir } = options('echo "$1 $2 $3" >&2; printf "#!/bin/sh\\necho kwok\\n" > "$GOBIN/kwok"; chmod +x "$GOBIN/kwok"');
    const stamp = await buildUnit(unit, cacheKey(unit), built);
    expect(readFileSync(path.join(dir, 'kwok'), 'utf8')).toContain('echo kwok');
    expect(JSON.parse(readFileSync(path.join(dir, STAMP_FILE), 'utf8'))).toEqual(stamp);
    expect(cacheState(built.cacheDir, unit)).toEqual({ state: 'cached', stamp });
    expect(readdirSync(dir).sort()).toEqual([STAMP_FILE, 'kwok']); // no temporary folder left
    expect(lines[0]).toBe('kwok v0.8.0: building kwok');
    expect(lines[1]).toMatch(/^kwok v0\.8\.0: modules ready \(\d+ ms\), compiling kwok$/);
    expect(lines.at(-1)).toMatch(/^kwok v0\.8\.0: built in [\d.]+ (ms|s) \(kwok \d+ KB\)$/);
  });

  test('a failure names the unit and version and shows the last 30 lines of output, not a stack', async () => {
    const { built, dir } = options('for i in $(seq 1 40); do echo "compile error $i"; done; echo "half" > "$GOBIN/kwok"; exit 3');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'kwok'), 'the previous build\n');
    const failure = await buildUnit(unit, 'key', built).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(TwinBuildError);
    expect(failure).toBeInstanceOf(UsageError); // entry points print it as one line plus the tail, exit 2
    const lines = (failure as Error).message.split('\n');
    expect(lines[0]).toMatch(/^building kwok v0\.8\.0 failed: compiling: go install exited 3 after \d+ ms; last 30 lines of output:$/);
    expect(lines.slice(1)).toHaveLength(30);
    expect(lines[1]).toBe('  | compile error 11');
    expect(lines.at(-1)).toBe('  | compile error 40');
    // No half binary, no stamp, no temporary folder; the previous binary is untouched.
    expect(readFileSync(path.join(dir, 'kwok'), 'utf8')).toBe('the previous build\n');
    expect(existsSync(path.join(dir, STAMP_FILE))).toBe(false);
    expect(readdirSync(dir)).toEqual(['kwok']);
  });

  test("the module's source files are copied beside the binaries (0644), from where go mod download puts the module", async () => {
    const moduleDir = tempDir('twin-module-');
    mkdirSync(path.join(moduleDir, 'tools', 'common'), { recursive: true });
    writeFileSync(path.join(moduleDir, 'tools', 'common', 'bootstrap.json'), '{"node": {}}\n', { mode: 0o444 });
    const withSource: BuildUnit = { ...unit, sourceFiles: { module: 'example.com/m', version: 'v1.0.0', paths: ['tools/common/bootstrap.json'] } };
    const answer = `if [ "$1 $2 $3 $4" = "mod download -json example.com/m@v1.0.0" ]; then printf '{"Dir": "${moduleDir}"}'; exit 0; fi`;
    const { built, lines, dir } = options(`${answer}; touch "$GOBIN/kwok"`);
    await buildUnit(withSource, cacheKey(withSource), built);
    const copy = path.join(dir, 'src', 'tools', 'common', 'bootstrap.json');
    expect(readFileSync(copy, 'utf8')).toBe('{"node": {}}\n');
    expect(statSync(copy).mode & 0o777).toBe(0o644);
    expect(cacheState(built.cacheDir, withSource).state).toBe('cached');
    expect(lines).toContain('kwok v0.8.0: copied tools/common/bootstrap.json from the module source');
    // A file the module lacks fails the build, before anything in the folder changes.
    const missing: BuildUnit = { ...withSource, sourceFiles: { ...withSource.sourceFiles!, paths: ['no/such.json'] } };
    await expect(buildUnit(missing, 'other', built)).rejects.toThrow(/^building kwok v0\.8\.0 failed: example\.com\/m@v1\.0\.0 has no no\/such\.json/);
    expect(existsSync(copy)).toBe(true);
  });

  test('a missing go is named', async () => {
    const { built } = options('');
    const failure = buildUnit(unit, 'key', { ...built, goCommand: ['/no/such/go'] });
    await expect(failure).rejects.toThrow(/^building kwok v0\.8\.0 failed: downloading modules: \/no\/such\/go not found on PATH \(no output\)$/);
  });

  test('a long step prints a heartbeat with the packages compiled so far', async () => {
    const { built, lines } = options('echo k8s.io/api/core/v1 >&2; echo k8s.io/client-go/rest >&2; sleep 0.5; touch "$GOBIN/kwok"', { heartbeatMs: 100 });
    await buildUnit(unit, 'key', built);
    const beats = lines.filter((line) => line.includes('still'));
    expect(beats.length).toBeGreaterThanOrEqual(2);
    expect(beats.at(-1)).toMatch(/^kwok v0\.8\.0: still compiling \([\d.]+ (ms|s), 2 packages compiled, last k8s\.io\/client-go\/rest\)$/);
  });
});

describe('rendering', () => {
  test('package names from go build -v are counted, not kept in the failure tail', () => {
    const output = new GoOutput(3);
    output.push('k8s.io/api/core/v1\nvendor/golang.org/x/net/http2/hpack\n# k8s.io/x\n./a.go:1:2: undefined: y\nk8s.io/b');
    output.push('ar\n');
    expect(output.packages).toBe(3);
    expect(output.lastPackage).toBe('k8s.io/bar');
    expect(output.tail()).toEqual(['# k8s.io/x', './a.go:1:2: undefined: y']);
  });

  test('durations and failures read well', () => {
    expect([formatDuration(850), formatDuration(12_340), formatDuration(432_000)]).toEqual(['850 ms', '12.3 s', '7m12s']);
    expect(renderFailure('etcd v3.6.16', 'compiling: go build exited 1 after 3.0 s', ['x.go:1: bad'])).toBe(
      'building etcd v3.6.16 failed: compiling: go build exited 1 after 3.0 s; last 1 lines of output:\n  | x.go:1: bad',
    );
  });
});


describe('ensureBinaries', () => {
  test('concurrent callers build a unit once; a warm call runs no go at all', async () => {
    const cacheDir = tempDir('twin-ensure-');
    const counter = path.join(cacheDir, 'builds');
    const goCommand = fakeGo(`echo x >> ${counter}; sleep 0.4; touch "$GOBIN/go-httpbin"`);
    const lines: string[] = [];
    const options = { cacheDir, istio: '1.31-dev', goCommand, progress: (line: string) => lines.push(line), heartbeatMs: 100 };
    const [first, second] = await Promise.all([ensureBinaries(['go-httpbin'], options), ensureBinaries(['go-httpbin'], options)]);
    expect(first).toEqual({ 'go-httpbin': path.join(cacheDir, 'twin', 'bin', 'go-httpbin@v2.18.2', 'go-httpbin') });
    expect(second).toEqual(first);
    expect(readFileSync(counter, 'utf8')).toBe('x\n');
    expect(lines.some((line) => /^\[1\/1, [\d.]+ m?s\] go-httpbin v2\.18\.2: waiting for the build in process \d+/.test(line))).toBe(true);
    const warm = await ensureBinaries(['go-httpbin'], { ...options, goCommand: ['/no/such/go'] });
    expect(warm).toEqual(first);
    expect(existsSync(path.join(cacheDir, 'twin', 'bin', 'go-httpbin@v2.18.2.lock'))).toBe(false);
  });

  test('says n of N with the measured estimate while compiling, and records each build under the cache', async () => {
    const cacheDir = tempDir('twin-progress-');
    const goCommand = fakeGo('echo github.com/mccutchen/go-httpbin/v2/httpbin >&2; sleep 0.5; touch "$GOBIN/go-httpbin"');
    const lines: string[] = [];
    await ensureBinaries(['go-httpbin'], { cacheDir, istio: '1.31-dev', goCommand, progress: (line) => lines.push(line), heartbeatMs: 100 });
    expect(lines[0]).toBe('1 of 1 components to build, once per machine (about 2.0 s on 2 cores, measured): go-httpbin v2.18.2');
    expect(lines.some((line) => /^\[1\/1, .*\] go-httpbin v2\.18\.2: still compiling \([\d.]+ m?s of about 2\.0 s, 1 packages compiled/.test(line))).toBe(true);
    expect(lines.at(-1)).toMatch(/^built 1 components in [\d.]+ m?s: go-httpbin [\d.]+ m?s \(each build is recorded in .*build-times\.jsonl\)$/);
    const records = readBuildRecords(cacheDir);
    expect(records).toEqual([{ unit: 'go-httpbin@v2.18.2', seconds: expect.any(Number), builtAt: expect.any(String), go: expect.any(String) }]);
    // This machine's own record now wins over the measured figure.
    expect(estimateMs(cacheDir, { component: 'go-httpbin', version: 'v2.18.2' })).toBe(records[0]!.seconds * 1000);
    expect(estimateMs(cacheDir, { component: 'go-httpbin', version: 'v9.9.9' })).toBeUndefined();
  });
});
