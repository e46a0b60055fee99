/**
 * `@lp-auth/fastify`: LivePerson clients (and, with the consumer verifier, the verified consumer) on
 * `request.lp` and `app.lp`, as a Fastify plugin.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { lpAuth, requireConsumer } from '@lp-auth/fastify';
 *
 * const app = Fastify();
 * await app.register(lpAuth, { accountId: '12345678', consumer: { issuer: 'https://login.brand.example' } });
 * app.get('/orders', { preHandler: requireConsumer() }, async (request) => ({ sub: request.lp!.consumer!.sub }));
 * ```
 *
 * @packageDocumentation
 */
export {
  lpAuth,
  type LpAuthFastify,
  type LpAuthFastifyOptions,
  type LpAuthPluginOptions,
  type LpRequestContext,
} from './plugin.js';
export { sendLpError } from './error-reply.js';
export type { HttpErrorResponseOptions } from '@lp-auth/core/adapter';
export {
  requireConsumer,
  optionalConsumer,
  consumerOf,
  lpOf,
  type ConsumerGuardOptions,
} from './consumer.js';
export {
  consumerClaimEquals,
  consumerClaimIncludes,
  consumerCheck,
  consumerPredicate,
} from './consumer-checks.js';
export type { ConsumerGuardSetting, ConsumerMode, LpAuthRouteConfig } from './app-guards.js';

// What applications touch from the core (one list, kept in the core), so that an app's package.json
// names only this adapter: a strict installer (pnpm) does not let an app import @lp-auth/core otherwise.
export * from '@lp-auth/core/app';
