/**
 * `@lp-auth/koa`: LivePerson clients (and, with the consumer verifier, the verified consumer) on
 * `ctx.state.lp`, in one line.
 *
 * @example
 * ```ts
 * import Koa from 'koa';
 * import Router from '@koa/router';
 * import { lpAuth, requireConsumer } from '@lp-auth/koa';
 *
 * const app = new Koa();
 * const router = new Router();
 * router.get('/orders', requireConsumer(), (ctx) => {
 *   ctx.body = { sub: ctx.state.lp.consumer!.sub };
 * });
 * app.use(lpAuth({ accountId: '12345678', consumer: { issuer: 'https://login.brand.example' } }));
 * app.use(router.routes());
 * ```
 *
 * @packageDocumentation
 */
export { lpAuth, type LpAuthKoaOptions, type LpAuthMiddleware, type LpRequestContext } from './middleware.js';
export type { HttpErrorResponseOptions } from '@lp-auth/core/adapter';
export { requireConsumer, optionalConsumer, type ConsumerGuardOptions } from './consumer.js';
export {
  consumerClaimEquals,
  consumerClaimIncludes,
  consumerCheck,
  consumerPredicate,
} from './consumer-checks.js';

// What applications touch from the core (one list, kept in the core), so that an app's package.json
// names only this adapter: a strict installer (pnpm) does not let an app import @lp-auth/core otherwise.
export * from '@lp-auth/core/app';
