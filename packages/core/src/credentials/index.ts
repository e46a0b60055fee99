export type {
  Credential,
  CredentialRuntime,
  AuthorizeContext,
  AuthorizeResult,
  OutgoingRequest,
} from './credential.js';
export { AppJwtCredential, type AppJwtOptions } from './app-jwt.js';
export { OrchestratorV1Credential, type OrchestratorV1Options } from './orchestrator-v1.js';
export { OrchestratorV2Credential, type OrchestratorV2Options } from './orchestrator-v2.js';
export {
  signOAuth1,
  oauthPercentEncode,
  oauthBaseString,
  oauthBaseUrl,
  type OAuth1Request,
  type OAuth1Keys,
  type OAuth1SignOptions,
  type OAuth1Signature,
} from './oauth1-signature.js';
export { OAuth1Credential, type OAuth1Options, type SignableRequest } from './oauth1.js';
export { LoginCredential, DEFAULT_KEEPALIVE_MS, type LoginOptions, type LoginSession } from './login.js';
export {
  ConsumerJwsCache,
  DEFAULT_CONSUMER_JWS_ENTRIES,
  type ConsumerJwsOptions,
  type GetConsumerJwsOptions,
} from './consumer-jws.js';
export {
  AppAuthorization,
  type AppAuthorizationOptions,
  type ResolvedAppAuthorizationOptions,
  type AuthorizationUrlOptions,
  type ExchangeCodeOptions,
} from './app-authorization.js';
export { resolveAppAuthorizationOptions } from './app-authorization-options.js';
export {
  UserSessionCredential,
  DEFAULT_SESSION_TTL_MS,
  userSessionKey,
  type UserSession,
  type PrintableUserSession,
  type StoredUserSession,
} from './app-authorization-session.js';
export {
  AppAuthorizationWeb,
  type AppAuthorizationRoutesOptions,
  type WebRedirect,
  type WebRequest,
  type WebOutcome,
} from './app-authorization-web.js';
export {
  sealLoginState,
  openLoginState,
  serializeCookie,
  parseCookies,
  safeReturnTo,
  normaliseReturnTo,
  type LoginState,
  type CookieAttributes,
} from './app-authorization-cookies.js';
export { SentinelIdTokenVerifier, type LpUser } from './sentinel-id-token.js';
export { createPkce, pkceChallenge, randomToken, type Pkce } from './pkce.js';
