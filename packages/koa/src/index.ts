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
export type { HttpErrorResponseOptions } from '@lp-auth/core';
export { requireConsumer, optionalConsumer, type ConsumerGuardOptions } from './consumer.js';
export {
  consumerClaimEquals,
  consumerClaimIncludes,
  consumerCheck,
  consumerPredicate,
} from './consumer-checks.js';

// What applications touch from the core, re-exported so that an app's package.json names only this
// adapter: a strict installer (pnpm) does not let an app import @lp-auth/core unless it lists it too.
export {
  createLpAuth,
  createConsumerVerifier,
  ConsumerVerifier,
  LpClient,
  MemoryTokenStore,
  secret,
  Secret,
  findSde,
  filterSdes,
  parseLpSdes,
  isLpAuthError,
  LpAuthError,
  ConfigError,
  DomainNotFoundError,
  CsdsUnavailableError,
  TokenRequestError,
  CredentialsRejectedError,
  RetryBudgetExceededError,
  InvalidResponseError,
  LpApiError,
  TimeoutError,
  NetworkError,
  RedirectRefusedError,
  ResponseTooLargeError,
  AbortedError,
  ClosedError,
  LoginBlockedError,
  ConsumerTokenError,
  KeySetUnavailableError,
  AppAuthorizationError,
  type LpAuth,
  type LpAuthOptions,
  type LpClients,
  type LpRequest,
  type LpResponse,
  type LpAuthErrorCode,
  type ConsumerTokenErrorCode,
  type AppAuthorizationErrorCode,
  type ConsumerIdentity,
  type ConsumerClaims,
  type ConsumerVerifierOptions,
  type EngagementAttribute,
  type UserSession,
  type TokenStore,
  type Logger,
} from '@lp-auth/core';
