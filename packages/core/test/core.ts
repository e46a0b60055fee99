// Every module of the core for its own tests, public and internal alike. Applications see only
// src/index.ts (`@lp-auth/core`) and src/adapter/index.ts (`@lp-auth/core/adapter`); a test that
// is about the public face imports those instead.
export * from '../src/adapter/index.js';
export * from '../src/errors/index.js';
export * from '../src/support/index.js';
export * from '../src/http/index.js';
export * from '../src/tokens/index.js';
export * from '../src/domains/index.js';
export * from '../src/credentials/index.js';
export * from '../src/consumer/index.js';
export * from '../src/app-authorization/index.js';
export * from '../src/config/index.js';
export * from '../src/lp-auth.js';
