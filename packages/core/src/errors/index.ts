/**
 * Every error class and code of `@lp-auth/core`, in one place. This folder is the bottom layer of
 * the core: it imports nothing from the rest of it, so that any layer may throw these.
 *
 * Errors are recognised by their brand and `code` ({@link isLpAuthError}), not by `instanceof`: an
 * app that ends up with two copies of the core (two versions in node_modules) still has its
 * errors answered with the right status by every adapter.
 *
 * @module
 */
export * from './lp-auth.js';
export * from './consumer.js';
export * from './app-authorization.js';
export type { HttpErrorResponse } from './http-response.js';
