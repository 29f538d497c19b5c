// Faults exec-certs-dir-wrong-volume and exec-ca-dir-wrong-volume: the container runtime's exec
// (what `kubectl exec` runs) binds another volume at one of the doc's mount paths. The pod runner
// publishes, per running container, the `ip netns exec … bwrap …` prefix the exec hook runs
// (twin/pods/hook.ts); this rewrites that entry while the fault is armed and puts it back after.
// The container's own view, which pilot-agent and Envoy read, is never touched. The entry may hold
// environment values from Secrets: it is rewritten 0600 and never logged.
import fs from 'node:fs';

const BINDS = new Set(['--bind', '--ro-bind']);

/** The entry's arguments with the folder bound at `dest` replaced by the one bound at `from`; undefined when either bind is missing. */
export function rebind(argv: readonly string[], dest: string, from: string): string[] | undefined {
  const sourceAt = (mountPath: string) => argv.findIndex((arg, index) => BINDS.has(arg) && argv[index + 2] === mountPath);
  const target = sourceAt(dest);
  const donor = sourceAt(from);
  if (target < 0 || donor < 0) return undefined;
  const next = [...argv];
  next[target + 1] = argv[donor + 1]!;
  return next;
}

export function readEntry(file: string): string[] {
  const parts = fs.readFileSync(file, 'utf8').split('\0');
  parts.pop(); // every argument ends with a NUL
  return parts;
}

function entryBytes(argv: readonly string[]): string {
  return argv.map((arg) => `${arg}\0`).join('');
}

/** Rewritten exec entries, each with what it held before, so that they can be put back. */
export class ExecViewRewrites {
  private readonly originals = new Map<string, { before: string; written: string }>();

  /** Rebinds `dest` to the folder bound at `from` in the entry; false when the entry has no such binds. */
  rebind(file: string, dest: string, from: string): boolean {
    const before = fs.readFileSync(file, 'utf8');
    const next = rebind(readEntry(file), dest, from);
    if (!next) return false;
    const written = entryBytes(next);
    writePrivate(file, written);
    if (!this.originals.has(file)) this.originals.set(file, { before, written });
    else this.originals.get(file)!.written = written;
    return true;
  }

  /** Puts every entry back, unless the runner published a new one meanwhile (a restarted container). */
  restore(): void {
    for (const [file, { before, written }] of this.originals) {
      let now: string | undefined;
      try {
        now = fs.readFileSync(file, 'utf8');
      } catch {
        now = undefined; // the container stopped: nothing to put back
      }
      if (now === written) writePrivate(file, before);
    }
    this.originals.clear();
  }
}

function writePrivate(file: string, content: string): void {
  const temporary = `${file}.fault.tmp`;
  fs.writeFileSync(temporary, content, { mode: 0o600 });
  fs.renameSync(temporary, file); // the hook never reads half an entry
}
