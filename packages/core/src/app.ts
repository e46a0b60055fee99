/**
 * What applications touch from the core: the main entry itself, now that it holds only the
 * application-facing names (adapter glue is `@lp-auth/core/adapter`). Each adapter re-exports this
 * entry (`@lp-auth/core/app`) so that an app's package.json names only its adapter: a strict
 * installer (pnpm) does not let an app import `@lp-auth/core` unless the app lists it too. A name an
 * adapter defines itself (Nest's `LpUser` decorator) wins over the one re-exported from here.
 *
 * @module
 */
export * from './index.js';
