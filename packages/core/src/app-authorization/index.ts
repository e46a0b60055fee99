/**
 * Application authorization: LivePerson users log in to your app (Sentinel's authorization code
 * flow with PKCE), their sessions, the login routes adapters mount, and the check of Sentinel's
 * id_token. It sits above `credentials/` (its user sessions are credentials) and `consumer/`
 * (Sentinel's keys are fetched as a consumer IdP's are).
 *
 * @module
 */
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
