// Long work on a terminal: a live bar (cli-progress) under the log lines, showing how far along
// the work is against its estimate. Anywhere else (CI logs, pipes) only the plain lines and the
// heartbeats the callers print already: a bar's redraws would be noise in a log file.
import { MultiBar, type SingleBar } from 'cli-progress';
import { formatDuration } from './progress';

export interface ProgressBar {
  /** A log line: printed above the bar on a terminal, as-is elsewhere. */
  line(text: string): void;
  /** Work done so far, in the unit of the total (e.g. estimated milliseconds), and what runs now. */
  update(done: number, now: string): void;
  stop(): void;
}

export interface ProgressBarOptions {
  title: string;
  /** The whole of the work (e.g. the sum of the estimates, in ms). */
  total: number;
  stream?: NodeJS.WriteStream;
}

/** A bar on a terminal; plain lines otherwise. */
export function progressBar(options: ProgressBarOptions): ProgressBar {
  const stream = options.stream ?? process.stderr;
  if (!stream.isTTY) {
    return { line: (text) => stream.write(`${text}\n`), update: () => {}, stop: () => {} };
  }
  const started = Date.now();
  const bars = new MultiBar(
    {
      stream,
      format: `${options.title} [{bar}] {percentage}% | {elapsed} of about {estimate} | {now}`,
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      // Redraw on our updates and at most once a second, not on every write.
      fps: 1,
    },
    // cli-progress's own preset: ASCII only, so every terminal and font shows it.
    { barCompleteChar: '#', barIncompleteChar: '-', format: '' },
  );
  const payload = (now: string) => ({ elapsed: formatDuration(Date.now() - started), estimate: formatDuration(options.total), now });
  const bar: SingleBar = bars.create(Math.max(1, options.total), 0, payload('starting'));
  let stopped = false;
  return {
    line: (text) => {
      if (stopped) return void stream.write(`${text}\n`);
      bars.log(`${text}\n`);
      // cli-progress prints logged lines on its next redraw: draw now, so no line waits or is lost at stop.
      bars.update();
    },
    update: (done, now) => bar.update(Math.min(done, options.total * 0.99), payload(now)),
    stop: () => {
      if (stopped) return;
      stopped = true;
      bars.stop();
    },
  };
}
