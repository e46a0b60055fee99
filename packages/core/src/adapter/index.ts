/**
 * `@lp-auth/core/adapter`: what packages built on the core need and applications do not. The four
 * framework adapters use the request context, the consumer guard, the claim-check factory, the
 * framework-neutral login routes and error answers; `@lp-auth/redis` and `@lp-auth/cli` use the
 * token and session contracts, option resolution and a few helpers. Nothing here is needed to use
 * LivePerson from an app: that is the main entry, `@lp-auth/core`.
 *
 * @module
 */

// The request context every adapter hands out, and the consumer guard that returns it.
export {
  adapterLpAuth,
  isLpAuth,
  lpRequestContext,
  putLpContext,
  lpContextOf,
  requireLpContext,
  type LpRequestContext,
} from './context.js';
export {
  ConsumerGuard,
  admittedConsumer,
  assertConsumer,
  bearerPartsOf,
  type ConsumerGuardOptions,
  type ConsumerGuardBinding,
  type ExtractedToken,
  type NodeRequestLike,
  type ParsedRequestParts,
} from './guard.js';
export { consumerClaimChecks, type ConsumerClaimChecks, type ConsumerCheckRunner } from './claim-checks.js';
export {
  claimEquals,
  claimIncludes,
  claimCheck,
  extractBearerToken,
  type BearerRequestParts,
} from '../consumer/index.js';

// Errors as HTTP answers (RFC 6750 challenges for consumer tokens).
export {
  httpErrorResponse,
  resolveHttpErrorResponseOptions,
  type HttpErrorResponse,
  type HttpErrorResponseOptions,
} from '../http/index.js';
export { bearerErrorKind, type BearerChallengeOptions, type HttpFailureDetails } from '../errors/index.js';

// The login routes of application authorization, as framework-neutral decisions.
export {
  AppAuthorizationWeb,
  userSessionKey,
  createPkce,
  sealLoginState,
  openLoginState,
  DEFAULT_SESSION_TTL_MS,
  type AppAuthorizationRoutesOptions,
  type WebRedirect,
  type WebRequest,
  type WebOutcome,
  type UserSessionCredential,
  type StoredUserSession,
  type LoginState,
  type Pkce,
} from '../app-authorization/index.js';

// Stores, tools and diagnostics.
export { resolveOptions } from '../config/index.js';
export { isLoopbackHost } from '../support/index.js';
export { DomainResolver, type DomainResolverOptions } from '../domains/index.js';
export type { TokenManager, TokenManagerOptions, FetchedToken, GetTokenOptions } from '../tokens/index.js';
