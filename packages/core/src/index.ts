/**
 * `@lp-auth/core`: LivePerson Conversational Cloud authentication for Node.js servers.
 *
 * The main entry holds what an application uses: `createLpAuth` and its options, the authorized
 * client, the consumer verifier, the token store contract, secrets and loggers, and every error.
 * What packages built on the core need (the adapters' request context and consumer guard, the
 * framework-neutral login routes and error answers, option resolvers) is the
 * `@lp-auth/core/adapter` entry. Everything else is internal.
 *
 * @packageDocumentation
 */

// Setting up.
export { createLpAuth, type LpAuth, type LpClients } from './lp-auth.js';
export { optionsFromEnv, type LpAuthOptions, type ResolvedOptions } from './config/index.js';
export {
  CREDENTIAL_KINDS,
  type CredentialKind,
  type CredentialsOptions,
  type AppJwtOptions,
  type OrchestratorV1Options,
  type OrchestratorV2Options,
  type OAuth1Options,
  type LoginOptions,
  type LoginSession,
  type AppJwtCredential,
  type OrchestratorV1Credential,
  type OrchestratorV2Credential,
  type OAuth1Credential,
  type LoginCredential,
  type SendApiCredential,
  type CredentialRuntime,
} from './credentials/index.js';
export {
  signOAuth1,
  type OAuth1Request,
  type OAuth1Keys,
  type OAuth1SignOptions,
  type OAuth1Signature,
} from './credentials/oauth1-signature.js';

// Calling LivePerson.
export {
  LpClient,
  type LpClientOptions,
  type LpRequest,
  type LpResponse,
  type LpFetchInit,
  type QueryValue,
  type FetchFn,
  type Credential,
  type AuthorizeContext,
  type AuthorizeResult,
  type OutgoingRequest,
  type RefusedAnswer,
  type Rejection,
} from './http/index.js';
export type { RetryPolicy } from './http/backoff.js';
export type { DomainResolver, OrchestratorRegion, RegionalService } from './domains/index.js';
export { MemoryTokenStore, type TokenStore, type TokenStoreLock, type TokenSet } from './tokens/index.js';

// Consumers (your identity provider's id_tokens).
export {
  ConsumerVerifier,
  createConsumerVerifier,
  parseLpSdes,
  findSde,
  filterSdes,
  isKnownSde,
  type ConsumerVerifierRuntime,
  type VerifyOptions,
  type ConsumerVerifierOptions,
  type ConsumerIssuerOptions,
  type ConsumerKeyProvider,
  type ConsumerTokenHeader,
  type TokenLocations,
  type ConsumerIdentity,
  type ConsumerClaims,
  type ConsumerPredicate,
  type ConsumerAlgorithm,
  type JwksPolicy,
  type ConsumerJwk,
  type ConsumerJwks,
  type ConsumerKeyInput,
  type EngagementAttribute,
  type KnownSdes,
  type UnknownSde,
  type SdeDate,
  type SdeProduct,
  type CustomerInfoSde,
  type PersonalInfoSde,
  type MarketingSourceSde,
  type LeadSde,
  type ServiceActivitySde,
  type VisitorErrorSde,
  type ViewedProductSde,
  type CartStatusSde,
  type PurchaseSde,
  type SearchContentSde,
} from './consumer/index.js';

// LivePerson users logging in to your app.
export {
  randomToken,
  type AppAuthorization,
  type AppAuthorizationOptions,
  type AuthorizationUrlOptions,
  type ExchangeCodeOptions,
  type UserSession,
  type PrintableUserSession,
  type LpUser,
} from './app-authorization/index.js';

// Secrets, logs and events.
export {
  secret,
  Secret,
  adaptLogger,
  stderrLogger,
  silentLogger,
  redactUrl,
  type Logger,
  type LpAuthEvents,
  type LpAuthEventName,
  type LpAuthListener,
  type LpAuthEventBus,
} from './support/index.js';

// Errors: every one an LpAuthError with a stable code; recognise them with isLpAuthError.
export {
  isLpAuthError,
  LpAuthError,
  ConfigError,
  DomainNotFoundError,
  CsdsUnavailableError,
  TokenRequestError,
  CredentialsRejectedError,
  RetryBudgetExceededError,
  RetryAfterPendingError,
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
  type LpAuthErrorCode,
  type ConsumerTokenErrorCode,
  type AppAuthorizationErrorCode,
  type LpAuthErrorOptions,
  type BearerErrorKind,
} from './errors/index.js';
