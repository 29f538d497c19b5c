import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { findTool } from '../node/prerequisites';
import { envArgs, resolveOnHost, twinFilesVisible, viewArgs, type HostFs } from './view';

// A small host: /etc with three entries, /var/run -> /run, /usr/local/bin with one program.
const tree: Record<string, 'dir' | 'file' | `->${string}`> = {
  '/etc': 'dir',
  '/etc/passwd': 'file',
  '/etc/hosts': 'file',
  '/etc/alternatives': 'dir',
  '/etc/localtime': '->/usr/share/zoneinfo/UTC',
  '/var': 'dir',
  '/var/run': '->../run',
  '/run': 'dir',
  '/run/lock': 'dir',
  '/usr': 'dir',
  '/usr/local': 'dir',
  '/usr/local/bin': 'dir',
  '/usr/local/bin/tool': 'file',
  '/bin': '->usr/bin',
  '/tmp': 'dir',
  '/dev': 'dir',
  '/proc': 'dir',
};
const fakeHost: HostFs = {
  kind: (p) => {
    const entry = tree[p];
    if (entry === undefined) return p === '/' ? 'dir' : 'missing';
    return entry.startsWith('->') ? 'symlink' : (entry as 'dir' | 'file');
  },
  readlink: (p) => tree[p]!.slice(2),
  readdir: (p) =>
    Object.keys(tree)
      .filter((k) => path.posix.dirname(k) === p && k !== p)
      .map((k) => path.posix.basename(k))
      .sort(),
};

/** The args as [flag, ...operands] groups, for readable expectations. */
function groups(args: string[]): string[] {
  const arity: Record<string, number> = { '--ro-bind': 2, '--bind': 2, '--ro-bind-try': 2, '--symlink': 2, '--tmpfs': 1, '--dev': 1, '--proc': 1, '--hostname': 1, '--setenv': 2, '--chdir': 1 };
  const out: string[] = [];
  for (let i = 0; i < args.length; ) {
    const n = arity[args[i]!] ?? 0;
    out.push(args.slice(i, i + n + 1).join(' '));
    i += n + 1;
  }
  return out;
}

describe('resolveOnHost', () => {
  test('follows relative and absolute symlinks of existing components', () => {
    expect(resolveOnHost('/var/run/secrets/tokens', fakeHost)).toBe('/run/secrets/tokens');
    expect(resolveOnHost('/bin/go-httpbin', fakeHost)).toBe('/usr/bin/go-httpbin');
    expect(resolveOnHost('/etc/istio/x/', fakeHost)).toBe('/etc/istio/x');
  });
});

describe('viewArgs', () => {
  const base = { hostname: 'pod-1' };

  test("a mount under a folder the host lacks mirrors the parent: tmpfs plus binds of the host's entries", () => {
    const args = groups(viewArgs({ ...base, mounts: [{ dest: '/etc/istio/ingressgateway-certs', source: '/state/certs', readOnly: true }] }, fakeHost));
    expect(args.slice(0, 4)).toEqual(['--ro-bind / /', '--dev /dev', '--proc /proc', '--tmpfs /tmp']);
    const mirror = args.indexOf('--tmpfs /etc');
    expect(mirror).toBeGreaterThan(0);
    expect(args.slice(mirror + 1, mirror + 5)).toEqual([
      '--ro-bind-try /etc/alternatives /etc/alternatives',
      '--ro-bind-try /etc/hosts /etc/hosts',
      '--symlink /usr/share/zoneinfo/UTC /etc/localtime',
      '--ro-bind-try /etc/passwd /etc/passwd',
    ]);
    expect(args.indexOf('--ro-bind /state/certs /etc/istio/ingressgateway-certs')).toBeGreaterThan(mirror + 4);
    expect(args).toEqual(expect.arrayContaining(['--hostname pod-1', '--chdir /', '--unshare-pid', '--die-with-parent']));
    expect(args.some((a) => a.includes('env'))).toBe(false);
    expect(envArgs({ A: '1', B: 'two words' })).toEqual(['--clearenv', '--setenv', 'A', '1', '--setenv', 'B', 'two words']);
  });

  test('an existing destination is bound over, with no mirror; paths under /tmp and other mounts need none', () => {
    const args = groups(
      viewArgs(
        {
          ...base,
          mounts: [
            { dest: '/etc/hosts', source: '/state/hosts', readOnly: false },
            { dest: '/tmp/scratch', source: '/state/scratch', readOnly: false },
            { dest: '/data', source: '/state/data', readOnly: false },
            { dest: '/data/inner/deeper', source: '/state/inner', readOnly: true },
          ],
        },
        fakeHost,
      ),
    );
    expect(args.filter((a) => a.startsWith('--tmpfs'))).toEqual(['--tmpfs /tmp']);
    // /data is missing under /: the root is mirrored entry by entry instead of bound whole.
    expect(args).not.toContain('--ro-bind / /');
    expect(args).toContain('--ro-bind-try /etc /etc');
    expect(args).toContain('--symlink usr/bin /bin');
    expect(args).not.toContain('--ro-bind-try /tmp /tmp');
    for (const bind of ['--bind /state/hosts /etc/hosts', '--bind /state/data /data', '--ro-bind /state/inner /data/inner/deeper']) expect(args).toContain(bind);
    expect(args.indexOf('--bind /state/data /data')).toBeLessThan(args.indexOf('--ro-bind /state/inner /data/inner/deeper'));
  });

  test('a mount through a symlink lands at the resolved path (/var/run -> /run), mirroring /run', () => {
    const args = groups(viewArgs({ ...base, mounts: [{ dest: '/var/run/secrets/tokens', source: '/state/tok', readOnly: true }] }, fakeHost));
    expect(args).toContain('--tmpfs /run');
    expect(args).toContain('--ro-bind-try /run/lock /run/lock');
    expect(args[args.length - 1 - args.slice().reverse().findIndex((a) => a.startsWith('--ro-bind /state'))]).toBe('--ro-bind /state/tok /run/secrets/tokens');
  });

  test('a program placed at /usr/local/bin/x mirrors /usr/local/bin only', () => {
    const args = groups(viewArgs({ ...base, mounts: [{ dest: '/usr/local/bin/pilot-agent', source: '/cache/pilot-agent', readOnly: true }] }, fakeHost));
    expect(args.filter((a) => a.startsWith('--tmpfs'))).toEqual(['--tmpfs /tmp', '--tmpfs /usr/local/bin']);
    expect(args).toContain('--ro-bind-try /usr/local/bin/tool /usr/local/bin/tool');
  });
});

const canRun = process.getuid?.() === 0 && findTool('bwrap') !== undefined;

describe('viewArgs with the real bwrap', () => {
  (canRun ? test : test.skip)("the pod sees its folders at the spec's paths; the host's /etc stays as it was", () => {
    expect(fs.existsSync('/etc/istio')).toBe(false);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'view-'));
    try {
      fs.writeFileSync(path.join(dir, 'tls.crt'), 'CERT');
      const etcBefore = fs.readdirSync('/etc').sort();
      const args = viewArgs({
        hostname: 'pod-1',
        mounts: [
          { dest: '/etc/istio/ingressgateway-certs', source: dir, readOnly: true },
          { dest: '/var/run/secrets/tokens', source: dir, readOnly: true },
        ],
      });
      const out = execFileSync('bwrap', [...args, ...envArgs({ PATH: '/usr/bin:/bin' }), '--', 'sh', '-c', 'cat /etc/istio/ingressgateway-certs/tls.crt /var/run/secrets/tokens/tls.crt; hostname; test -r /etc/passwd && echo passwd; touch /usr/x 2>/dev/null || echo ro; touch /tmp/ok /etc/in-view-only && echo tmp'], { encoding: 'utf8' });
      // The host's root is read-only; /etc (mirrored) and /tmp are the view's own tmpfs.
      expect(out.split('\n')).toEqual(['CERTCERTpod-1', 'passwd', 'ro', 'tmp', '']);
      expect(fs.readdirSync('/etc').sort()).toEqual(etcBefore);
      expect(fs.existsSync('/etc/istio')).toBe(false);
      expect(fs.existsSync('/run/secrets/tokens')).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a checkout under /tmp', () => {
  test('stays visible behind the private /tmp (read-only), after /tmp is mounted', () => {
    const args = viewArgs({ mounts: [], hostname: 'p', keepVisible: ['/tmp/ci-clone', '/work/main'] });
    const tmp = args.indexOf('/tmp', args.indexOf('--tmpfs'));
    const keep = args.indexOf('/tmp/ci-clone');
    expect(args.slice(keep - 1, keep + 2)).toEqual(['--ro-bind', '/tmp/ci-clone', '/tmp/ci-clone']);
    expect(keep).toBeGreaterThan(tmp);
    // A checkout outside the private folders is already visible through the host's root.
    expect(args).not.toContain('/work/main');
  });

  test("the twin's faults file stays visible too when CACHE_DIR is under /tmp (the Envoy stand-in follows it)", () => {
    const args = viewArgs({ mounts: [], hostname: 'p', keepVisible: twinFilesVisible('/tmp/ci-home/.cache/igc/twin/state/rehearsal/faults/active.json') });
    const keep = args.indexOf('/tmp/ci-home/.cache/igc/twin/state/rehearsal/faults');
    expect(args.slice(keep - 1, keep + 2)).toEqual(['--ro-bind', '/tmp/ci-home/.cache/igc/twin/state/rehearsal/faults', '/tmp/ci-home/.cache/igc/twin/state/rehearsal/faults']);
    expect(keep).toBeGreaterThan(args.indexOf('/tmp', args.indexOf('--tmpfs')));
  });

  test('a program of the checkout runs in the view even when the checkout is under /tmp', () => {
    const bwrap = findTool('bwrap');
    if (!bwrap) throw new Error('bwrap is not installed: run npm run preflight');
    const checkout = fs.mkdtempSync(path.join(os.tmpdir(), 'igc-checkout-'));
    fs.writeFileSync(path.join(checkout, 'hello.sh'), '#!/bin/sh\necho hello from the checkout\n', { mode: 0o755 });
    try {
      const out = execFileSync(bwrap, [...viewArgs({ mounts: [], hostname: 'p', keepVisible: [checkout] }), '--', path.join(checkout, 'hello.sh')], { encoding: 'utf8' });
      expect(out.trim()).toBe('hello from the checkout');
    } finally {
      fs.rmSync(checkout, { recursive: true, force: true });
    }
  });
});
