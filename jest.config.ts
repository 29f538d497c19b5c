import type { Config } from 'jest';

// Three lanes (jest projects):
// - unit: the project's own tests that need no root and no Go build (any laptop, under a minute);
// - twin: the tests named *.twin.test.ts, which need root or the Go toolchain (they start the
//   twin, build the kind target's tools from source, or read pinned Go modules);
// - conformance: the catalogues themselves (suites/*.test.ts), run by npm test against a target.
// `npm run selftest` runs unit and twin; `npm run selftest:unit` / `selftest:twin` one lane.
// TypeScript runs through ts-jest as CommonJS; the ESM-only packages (got, zx, client-node) load
// through require(esm), which jest allows only with --experimental-vm-modules on Node >= 24.9
// (scripts/jest.mjs sets both).
const typescript: Config['transform'] = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }],
};

// The project's own tests: every folder but the catalogues' entry files (suites/*.test.ts).
const ownTests = ['<rootDir>/{helpers,scripts,twin,flows,targets}/**/*.test.ts', '<rootDir>/suites/*/**/*.test.ts'];

const config: Config = {
  // Many self-tests drive real processes (servers, twins) on a 2-core machine; their own waits are
  // bounded by poll budgets, so jest's 5 s default only adds flakes. jest-circus reads this limit
  // from the global config (a project-level testTimeout is ignored); the conformance steps set their own.
  testTimeout: 60_000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: typescript,
      testMatch: ownTests,
      testPathIgnorePatterns: ['/node_modules/', '\\.twin\\.test\\.ts$'],
      // A mutation run's sandboxes (npm run mutation; left behind when one is killed) hold copies of the tree.
      modulePathIgnorePatterns: ['<rootDir>/.stryker-tmp/'],
    },
    {
      displayName: 'twin',
      testEnvironment: 'node',
      transform: typescript,
      testMatch: ownTests.map((pattern) => pattern.replace(/\*\.test\.ts$/, '*.twin.test.ts')),
      modulePathIgnorePatterns: ['<rootDir>/.stryker-tmp/'],
    },
    {
      displayName: 'conformance',
      transform: typescript,
      testEnvironment: '<rootDir>/suites/runtime/environment.ts',
      testMatch: ['<rootDir>/suites/*.test.ts'],
    },
  ],
};

export default config;
