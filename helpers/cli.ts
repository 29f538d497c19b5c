// What every entry point in scripts/ shares: user mistakes as one line on stderr, exit 2.
import { CommanderError } from 'commander';
import { UsageError } from './config';

/**
 * A reader that closes the pipe early (`npm test | head`) makes every later write fail with EPIPE,
 * as an 'error' event that, unhandled, ends the process at once: in the middle of giving a twin
 * back, with its namespaces left on the host. The run goes on without its output instead.
 */
export function keepRunningWhenOutputCloses(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

/** Runs an entry point: a UsageError or a commander parse error prints one line and exits 2. */
export function runMain(main: () => Promise<number | void>): void {
  keepRunningWhenOutputCloses(process.stdout);
  keepRunningWhenOutputCloses(process.stderr);
  main().then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (error: unknown) => {
      if (error instanceof UsageError) {
        console.error(`error: ${error.message}`);
        process.exitCode = 2;
      } else if (error instanceof CommanderError) {
        process.exitCode = error.exitCode === 0 ? 0 : 2;
      } else {
        console.error(error);
        process.exitCode = 1;
      }
    },
  );
}
