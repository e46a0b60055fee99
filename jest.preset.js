// Shared Jest settings: native ESM, TypeScript through ts-jest (transpile only; `npm run lint`
// type-checks), and @lp-auth/* imports resolved to their sources so tests never run stale builds.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^@lp-auth/core/app$': '<rootDir>/../../packages/core/src/app.ts',
    '^@lp-auth/core/adapter$': '<rootDir>/../../packages/core/src/adapter/index.ts',
    '^@lp-auth/([a-z-]+)$': '<rootDir>/../../packages/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, isolatedModules: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  testTimeout: 30000,
};
