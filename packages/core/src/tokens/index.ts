export { MemoryTokenStore, type TokenStore, type TokenStoreLock } from './store.js';
export {
  TokenManager,
  computeRefreshAt,
  type TokenSet,
  type FetchedToken,
  type TokenManagerOptions,
  type GetTokenOptions,
} from './token-manager.js';
export { DEFAULT_RETRY_POLICY, backoffDelay, parseRetryAfter, type RetryPolicy } from '../http/backoff.js';
export { withRetries, isRetryableError } from '../http/retry.js';
export {
  tokenLifetime,
  jwtExpiry,
  MAX_TOKEN_LIFETIME_MS,
  SHORT_LIFETIME_MS,
  type TokenLifetime,
  type TokenLifetimeInput,
} from './lifetime.js';
