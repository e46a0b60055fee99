import type { Logger } from '../support/logger.js';
import type { DomainResolver } from '../domains/csds.js';
import type { OrchestratorRegion } from '../domains/regions.js';
import type { FetchFn } from '../http/send.js';
import type { RetryPolicy } from '../http/backoff.js';
import type { TokenStore } from '../tokens/store.js';
import { LpAuthError } from '../errors/index.js';
import type { LpAuthEventBus } from '../support/events.js';
import { traced } from '../http/tracing.js';
import { TokenManager, type TokenManagerOptions, type TokenSet } from '../tokens/token-manager.js';

/** A request about to be sent, before or after a credential is applied. */
export interface OutgoingRequest {
  url: URL;
  method: string;
  headers: Headers;
}

export interface AuthorizeContext {
  /** The LivePerson service the request goes to (`sentinel`, `asyncMessagingEnt`, …), when known. */
  service?: string;
  /** Set when the API rejected `rejected` with 401: the credential must bring a fresh token. */
  rejected?: string;
  signal?: AbortSignal;
}

export interface AuthorizeResult {
  /** The token value applied, so that a 401 can name it as rejected. */
  token?: string;
}

/**
 * One way of authorizing requests to LivePerson. Bearer-token flows implement it over a
 * `TokenManager`; OAuth 1.0 signs each request; the Orchestrator v1 key only sets a header.
 */
export interface Credential {
  /** The flow, e.g. `appJwt`, `orchestratorV1`. */
  readonly kind: string;
  /** Whether a 401 may be cured by fetching a fresh token (false for static keys). */
  readonly refreshable: boolean;
  /** The region for Conversation Orchestrator credentials. */
  readonly region?: OrchestratorRegion;
  /** Applies the credential to `request` in place. */
  authorize(request: OutgoingRequest, context: AuthorizeContext): Promise<AuthorizeResult>;
  /** Forgets any cached token. */
  invalidate(): Promise<void>;
  /** Stops timers and retries; logs out where the flow has a session. */
  close(): Promise<void>;
}

/** What every credential needs from the `LpAuth` that owns it. */
export interface CredentialRuntime {
  accountId: string;
  domains: DomainResolver;
  fetch: FetchFn;
  store: TokenStore;
  logger: Logger;
  retry: RetryPolicy;
  /** Deadline of one HTTP exchange (headers and body), ms. */
  timeoutMs: number;
  /** The largest API answer an {@link LpClient} reads, bytes; token endpoints use a smaller fixed limit. */
  maxResponseBytes?: number;
  now: () => number;
  /** Where credentials report refreshes and failures (`lp.on('token.refreshed', …)`). */
  events?: LpAuthEventBus;
}

/**
 * The `TokenManager` of a bearer-token credential, wired to the runtime's store, retry policy,
 * logger and clock. `key` names the token in the store (`lp:{account}:{kind}:…`).
 */
export function tokenManagerFor(
  runtime: CredentialRuntime,
  options: Pick<TokenManagerOptions, 'name' | 'key' | 'fetchToken' | 'onRefreshed'>,
): TokenManager {
  const { events } = runtime;
  return new TokenManager({
    store: runtime.store,
    retry: runtime.retry,
    logger: runtime.logger,
    now: runtime.now,
    ...options,
    fetchToken: (signal, previous) =>
      traced(`lp-auth token ${options.name}`, { 'lp_auth.credential': options.name }, () =>
        options.fetchToken(signal, previous),
      ),
    onRefreshed: (token, background) => {
      options.onRefreshed?.(token, background);
      events?.emit('token.refreshed', { credential: options.name, expiresAt: token.expiresAt, background });
    },
    onRefreshFailed: (error, background) => {
      events?.emit('token.failed', {
        credential: options.name,
        code: error instanceof LpAuthError ? error.code : 'unknown',
        message: error instanceof Error ? error.message : String(error),
        background,
      });
    },
  });
}

/** The token to apply for `context`: a fresh one when the API rejected the previous one with 401. */
export function tokenForRequest(tokens: TokenManager, context: AuthorizeContext): Promise<TokenSet> {
  return tokens.getToken({
    forceRefresh: context.rejected !== undefined,
    rejected: context.rejected,
    signal: context.signal,
  });
}
