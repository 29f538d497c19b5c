// The twin's record of what it made on the host, in its state folder: its own process, the
// processes it started, network namespaces and host links. Written (atomically) at every change,
// so that `npm run twin:down` can sweep what a killed run left. A pod runner records its pod
// namespaces and processes here too.
import fs from 'node:fs';
import path from 'node:path';
import { identify, type ProcessIdentity } from './identity';

export interface RecordedProcess extends ProcessIdentity {
  name: string;
}

export interface TwinState {
  /** The process that owns the twin (the one to ask to stop first). */
  owner?: RecordedProcess;
  processes: RecordedProcess[];
  netns: string[];
  hostLinks: string[];
}

export const stateFileName = 'twin-state.json';

export class StateFile {
  readonly path: string;
  private state: TwinState;

  constructor(stateDir: string) {
    this.path = path.join(stateDir, stateFileName);
    this.state = readState(this.path) ?? emptyState();
  }

  get current(): Readonly<TwinState> {
    return this.state;
  }

  setOwner(name: string, pid = process.pid): void {
    this.state.owner = { name, ...identify(pid) };
    this.write();
  }

  addProcess(name: string, pid: number): void {
    this.state.processes.push({ name, ...identify(pid) });
    this.write();
  }

  removeProcess(pid: number): void {
    this.state.processes = this.state.processes.filter((p) => p.pid !== pid);
    this.write();
  }

  addNetns(name: string): void {
    if (!this.state.netns.includes(name)) this.state.netns.push(name);
    this.write();
  }

  removeNetns(name: string): void {
    this.state.netns = this.state.netns.filter((n) => n !== name);
    this.write();
  }

  addHostLink(name: string): void {
    if (!this.state.hostLinks.includes(name)) this.state.hostLinks.push(name);
    this.write();
  }

  removeHostLink(name: string): void {
    this.state.hostLinks = this.state.hostLinks.filter((n) => n !== name);
    this.write();
  }

  /** Deletes the file: nothing is left to sweep. */
  clear(): void {
    this.state = emptyState();
    fs.rmSync(this.path, { force: true });
  }

  private write(): void {
    fs.mkdirSync(path.dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, `${JSON.stringify(this.state, null, 2)}\n`);
    fs.renameSync(temporary, this.path);
  }
}

export function readState(file: string): TwinState | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<TwinState>;
    return {
      owner: parsed.owner,
      processes: parsed.processes ?? [],
      netns: parsed.netns ?? [],
      hostLinks: parsed.hostLinks ?? [],
    };
  } catch {
    // A torn or hand-edited file: sweep by the names derived from the folder instead.
    return undefined;
  }
}

function emptyState(): TwinState {
  return { processes: [], netns: [], hostLinks: [] };
}
