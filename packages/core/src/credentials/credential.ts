import type { DomainResolver } from '../domains/csds.js';
import type { AuthorizeContext, LpClientRuntime } from '../http/credential.js';
import type { TokenStore } from '../tokens/store.js';
import { LpAuthError } from '../errors/index.js';
import type { LpAuthEventBus } from '../support/events.js';
import { traced } from '../http/tracing.js';
import { TokenManager, type TokenManagerOptions, type TokenSet } from '../tokens/token-manager.js';

export type {
  AuthorizeContext,
  AuthorizeResult,
  Credential,
  OutgoingRequest,
  RefusedAnswer,
  Rejection,
} from '../http/credential.js';

/** What every credential needs from the `LpAuth` that owns it (an `LpClient` needs a part of it). */
export interface CredentialRuntime extends LpClientRuntime {
  domains: DomainResolver;
  store: TokenStore;
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
