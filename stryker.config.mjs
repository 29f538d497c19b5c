// Mutation testing of the probe (issue 14): StrykerJS changes helpers/probe/ one mutant at a time
// and runs the probe's own unit tests against each; a mutant that no test notices is a
// classification (or a branch) that nothing checks. `npm run mutation`; the report goes to
// reports/mutation/ (index.html, mutation.json).
import jestConfig from './jest.config.ts';

// The unit lane as jest.config.ts defines it (one project: Stryker runs jest without `projects`).
const unitLane = jestConfig.projects.find((project) => project.displayName === 'unit');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  mutate: ['helpers/probe/**/*.ts', '!helpers/probe/**/*.test.ts', '!helpers/probe/test-servers.ts'],
  jest: {
    projectType: 'custom',
    config: {
      ...unitLane,
      // Only the probe's tests: the rest of the unit lane imports none of the probe's code but
      // would lengthen the first (coverage) run.
      testMatch: ['<rootDir>/helpers/probe/**/*.test.ts'],
      // jest.config.ts sets it globally (jest-circus ignores a project-level one).
      testTimeout: jestConfig.testTimeout,
    },
    // Per mutant, only the test files that import the mutated file, and in them only the tests
    // that covered the mutant (coverageAnalysis below).
    enableFindRelatedTests: true,
  },
  // What scripts/jest.mjs gives jest: require(esm) of got from the CommonJS-compiled tests.
  testRunnerNodeArgs: ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning'],
  coverageAnalysis: 'perTest',
  // Static mutants (module-level constants: the alert names, the error-code sets, the request
  // defaults) run every probe test each, since no per-test coverage says who reads a constant:
  // about 15 s a mutant here against about 1 s for the others. They are reported as ignored.
  ignoreStatic: true,
  // 2 cores, shared.
  concurrency: 1,
  // ts-jest type-checks nothing here (tsconfig isolatedModules), but a mutant need not be well typed.
  disableTypeChecks: 'helpers/probe/**/*.ts',
  // The tests wait on real servers (a 150 ms silent server, a 1 s curl timeout): a mutant that
  // stalls one is a timeout, found within this margin over the test's normal time.
  timeoutMS: 5_000,
  // A re-run tests only the mutants whose code or covering tests changed (`-- --force`: all).
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, reportMutants: false, logTests: false },
  thresholds: { high: 90, low: 80, break: 80 },
};
