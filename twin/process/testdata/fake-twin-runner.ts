// Starts testdata/fake-twin.ts for a test and waits for its ready line.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import readline from 'node:readline';

export interface FakeTwinInfo {
  pids: number[];
  escaped?: number;
  netns?: string;
  hostLink: string;
}

export async function startFakeTwin(stateDir: string, flags: string[] = []): Promise<{ child: ChildProcess; info: FakeTwinInfo }> {
  const script = path.join(__dirname, 'fake-twin.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, stateDir, ...flags], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout! });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`fake-twin exited (${String(code)}) before it was ready`);
  });
  const [line] = (await Promise.race([once(lines, 'line'), exited])) as [string];
  return { child, info: JSON.parse(line) as FakeTwinInfo };
}

/** Runs scripts/twin-down.ts as `npm run twin:down` would, and returns its exit code and output. */
export async function runTwinDown(stateDir: string): Promise<{ code: number | null; output: string }> {
  const script = path.join(__dirname, '..', '..', '..', 'scripts', 'twin-down.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, '--state-dir', stateDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += String(chunk)));
  child.stderr!.on('data', (chunk) => (output += String(chunk)));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}
