/**
 * `@lp-auth/nestjs`: `LpAuthModule.forRoot(…)` / `forRootAsync(…)`, injectable LivePerson clients,
 * `req.lp` on every request, `ConsumerGuard` with `@Public()`, `@OptionalConsumer()` and claim
 * checks, `@Consumer()` / `@LpUser()`, the login routes of application authorization, and
 * `@lp-auth` errors answered with their status and headers on Express and Fastify.
 *
 * @packageDocumentation
 */
export { LpAuthModule, type LpAuthModuleOptions, type LpAuthNestOptions } from './module.js';
export { LpAuthExceptionFilter } from './exception-filter.js';
export {
  InjectLpAuth,
  InjectLpClient,
  LP_AUTH,
  LP_CLIENT_KINDS,
  lpClientToken,
  type LpClientKind,
} from './tokens.js';
export { ConsumerGuard, type ConsumerGuardOptions, type LpPlatformRequest } from './consumer-guard.js';
export {
  Public,
  OptionalConsumer,
  ConsumerClaimEquals,
  ConsumerClaimIncludes,
  ConsumerCheck,
  ConsumerSatisfies,
} from './consumer-decorators.js';
export { LP_CONSUMER_ACCESS, LP_CONSUMER_CHECKS, type ConsumerAccess } from './consumer-metadata.js';
export { Consumer, LpUser } from './param-decorators.js';
export { lpContextOf } from './request-context.js';
export type { LpRequestContext, HttpErrorResponseOptions } from '@lp-auth/core/adapter';

// What applications touch from the core (one list, kept in the core), so that an app's package.json
// names only this adapter: a strict installer (pnpm) does not let an app import @lp-auth/core otherwise.
export * from '@lp-auth/core/app';
