// What every entry point in scripts/ shares: user mistakes as one line on stderr, exit 2.
import { CommanderError } from 'commander';
import { UsageError } from './config';

/** Runs an entry point: a UsageError or a commander parse error prints one line and exits 2. */
export function runMain(main: () => Promise<number | void>): void {
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
