// A process is named by its pid and its start time (field 22 of /proc/<pid>/stat, in clock ticks
// since boot), so that a sweep never signals an unrelated process that reused a pid.
import fs from 'node:fs';

export interface ProcessIdentity {
  pid: number;
  /** /proc start time; undefined when the process was already gone when it was recorded. */
  startTime?: string;
}

export function startTimeOf(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

/** True if the process is alive, not a zombie, and (when known) started when it was recorded. */
export function isSameProcessAlive(identity: ProcessIdentity): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${identity.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return false;
    return identity.startTime === undefined || fields[19] === identity.startTime;
  } catch {
    return false;
  }
}

export function identify(pid: number): ProcessIdentity {
  return { pid, startTime: startTimeOf(pid) };
}
