/**
 * `@lp-auth/express`: one line of setup puts LivePerson's authorized clients on every request.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { lpAuth, lpErrorHandler, lpOf } from '@lp-auth/express';
 *
 * const app = express();
 * app.use(lpAuth({ accountId: '12345678', credentials: { appJwt: { clientId, clientSecret } } }));
 * app.get('/skills', async (req, res) => {
 *   const { data } = await lpOf(req).clients.appJwt!.request({
 *     service: 'accountConfigReadOnly',
 *     path: '/api/account/{accountId}/configuration/le-users/skills',
 *   });
 *   res.json(data);
 * });
 * app.use(lpErrorHandler());
 * ```
 *
 * @packageDocumentation
 */
export {
  lpAuth,
  type LpAuthExpressOptions,
  type LpAuthMiddleware,
  type LpRequestContext,
} from './middleware.js';
export { lpErrorHandler, type HttpErrorResponseOptions } from './error-handler.js';
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

// What applications touch from the core (one list, kept in the core), so that an app's package.json
// names only this adapter: a strict installer (pnpm) does not let an app import @lp-auth/core otherwise.
export * from '@lp-auth/core/app';
