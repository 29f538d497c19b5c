// `npm test`: the conformance run. The suites and targets land with their issues; until a target
// can be provisioned this entry point says so plainly instead of pretending to pass.
import { runMain } from '../helpers/cli';
import { loadSettings, UsageError } from '../helpers/config';

runMain(async () => {
  const settings = loadSettings();
  throw new UsageError(
    `the conformance suites are not in this build yet (TARGET=${settings.TARGET}); run \`npm run selftest\` for the project's own tests`,
  );
});
