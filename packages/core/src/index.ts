/**
 * `@lp-auth/core`: LivePerson Conversational Cloud authentication for Node.js servers.
 *
 * @packageDocumentation
 */
export * from './errors/index.js';
export { createLpAuth, type LpAuth, type LpClients } from './lp-auth.js';
export * from './adapter/index.js';
export * from './config/index.js';
export * from './support/index.js';
export * from './domains/index.js';
export * from './tokens/index.js';
export * from './http/index.js';
export * from './credentials/index.js';
export * from './app-authorization/index.js';
export * from './consumer/index.js';
