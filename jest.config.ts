import type { Config } from 'jest';

// Two projects: the project's own tests (no cluster) and the conformance suites (need a target).
// TypeScript runs through ts-jest as CommonJS; the ESM-only packages (got, zx, client-node) load
// through require(esm), which jest allows only with --experimental-vm-modules on Node >= 24.9
// (scripts/jest.mjs sets both).
const typescript: Config['transform'] = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }],
};

const config: Config = {
  // Many self-tests drive real processes (servers, twins) on a 2-core machine; their own waits are
  // bounded by poll budgets, so jest's 5 s default only adds flakes. jest-circus reads this limit
  // from the global config (a project-level testTimeout is ignored); the conformance steps set their own.
  testTimeout: 60_000,
  projects: [
    {
      displayName: 'selftest',
      testEnvironment: 'node',
      transform: typescript,
      testMatch: ['<rootDir>/{helpers,scripts,twin}/**/*.test.ts', '<rootDir>/suites/*/**/*.test.ts'],
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
