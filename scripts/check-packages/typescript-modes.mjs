// What "CommonJS and TypeScript" in the README promises, checked with the repo's TypeScript against
// the installed tarballs: a CommonJS project (no "type" field) importing @lp-auth/core type-checks,
// compiles and runs under `module` commonjs, nodenext and node20; under node16 tsc refuses the import
// with TS1479 (node16 predates require(esm), so TypeScript does not let CommonJS import ESM there).

export const TYPESCRIPT_APP = `import { createLpAuth, isLpAuthError, LpAuthError, type LpAuthOptions } from '@lp-auth/core';

const options: LpAuthOptions = { accountId: '' };
try {
  createLpAuth(options);
  throw new Error('createLpAuth accepted an empty accountId');
} catch (error) {
  if (!(error instanceof LpAuthError) || !isLpAuthError(error, 'config_invalid')) throw error;
}
console.log('ok');
`;

/** `module` setting → compiler options, and whether tsc must accept the app. */
export const MODULE_MODES = [
  { mode: 'commonjs', options: { module: 'commonjs', moduleResolution: 'node10' }, accepts: true },
  { mode: 'node16', options: { module: 'node16' }, accepts: false, expected: 'TS1479' },
  { mode: 'nodenext', options: { module: 'nodenext' }, accepts: true },
  { mode: 'node20', options: { module: 'node20' }, accepts: true },
];

export function modeTsconfig({ mode, options }) {
  return {
    compilerOptions: {
      target: 'ES2022',
      strict: true,
      skipLibCheck: true,
      types: ['node'],
      ...options,
      outDir: `out-${mode}`,
    },
    files: ['app.ts'],
  };
}
