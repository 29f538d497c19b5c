// How the kind target shows its long steps: the shared progress helpers, and byte sizes.
export { formatDuration, step, type Log } from '../../helpers/progress';

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}

