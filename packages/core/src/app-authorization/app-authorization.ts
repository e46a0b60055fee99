import { reveal, type Secret } from '../support/secret.js';
import { TokenRequestError } from '../errors/index.js';
import { LpClient } from '../http/lp-client.js';
import { computeRefreshAt, type FetchedToken, type TokenSet } from '../tokens/token-manager.js';
import { AppAuthorizationError } from '../errors/index.js';
import {
  SESSION_ID,
  UserSessionCredential,
  userSession,
  userSessionKey,
  type StoredUserSession,
  type UserSession,
} from './app-authorization-session.js';
import { tokenManagerFor, type CredentialRuntime } from '../credentials/credential.js';
import { randomToken } from './pkce.js';
import { SentinelIdTokenVerifier } from './sentinel-id-token.js';
import { callTokenEndpoint, malformedTokenResponse, tokenExpiry } from '../credentials/token-endpoint.js';

/** Options of application authorization (OAuth 2.0 authorization code, wire page §5). */
export interface AppAuthorizationOptions {
  /** The client id of the application installed in Conversational Cloud. */
  clientId: string;
  clientSecret: string | Secret;
  /** The redirect URI registered for the application, exactly as registered (https, or http on loopback). */
  redirectUri: string;
  /** `scope` for the authorize request, when the application asks for one. */
  scope?: string;
  /** Signs the login state cookie of the adapters' login routes (at least 32 characters). */
  cookieSecret?: string | Secret;
  /** How long a session lasts without a refresh; each refresh starts it again. Default 12 hours. */
  sessionTtlMs?: number;
  /** User sessions whose client is kept in memory (least recently used dropped). Default 10 000. */
  maxCachedSessions?: number;
}

/** {@link AppAuthorizationOptions} after validation. */
export interface ResolvedAppAuthorizationOptions extends AppAuthorizationOptions {
  clientSecret: Secret;
  cookieSecret?: Secret;
  sessionTtlMs: number;
}

/** What {@link AppAuthorization.authorizationUrl} takes. */
export interface AuthorizationUrlOptions {
  /** An unguessable value bound to the browser (a signed cookie); compared on the callback. */
  state: string;
  /** The PKCE challenge (S256); the verifier is kept for {@link AppAuthorization.exchangeCode}. */
  pkce: { challenge: string };
}

/** What {@link AppAuthorization.exchangeCode} takes. */
export interface ExchangeCodeOptions {
  /** The `code` of the callback. */
  code: string;
  /** The PKCE verifier whose challenge went into the authorize URL. */
  codeVerifier: string;
  signal?: AbortSignal;
}

const DEFAULT_MAX_SESSIONS = 10_000;
const ONE_HOUR_MS = 60 * 60_000;
const NAME = 'appAuthorization';

/** The tokens of a token-endpoint answer. */
interface GrantedTokens {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  expiresAt: number;
}

/**
 * Application authorization: LivePerson users log in to your app through Sentinel (OAuth 2.0
 * authorization code with PKCE S256 and `state`), and each gets a session whose client calls
 * LivePerson as that user. Sessions live in the `TokenStore` under an opaque id; refresh tokens rotate,
 * and the new one is stored before any caller sees the new access token, so that concurrent and
 * cross-process refreshes never spend a refresh token twice.
 *
 * @example
 * ```ts
 * const auth = lp.appAuthorization!;
 * const state = randomToken(), pkce = createPkce();
 * res.redirect(await auth.authorizationUrl({ state, pkce }));        // keep state and pkce.verifier
 * // on the callback, after checking state:
 * const session = await auth.exchangeCode({ code, codeVerifier: pkce.verifier });
 * const { data } = await session.client.request({ service: 'accountConfigReadOnly', path: '/api/account/{accountId}/configuration/le-users/skills' });
 * await auth.revoke(session.id);                                      // logout
 * ```
 */
export class AppAuthorization {
  readonly clientId: string;
  readonly redirectUri: string;
  /** How long a session lasts without a refresh (default 12 hours). */
  readonly sessionTtlMs: number;
  readonly #options: ResolvedAppAuthorizationOptions;
  readonly #runtime: CredentialRuntime;
  readonly #idTokens: SentinelIdTokenVerifier;
  readonly #clients = new Map<string, LpClient>();
  readonly #max: number;
  #closed = false;

  constructor(options: ResolvedAppAuthorizationOptions, runtime: CredentialRuntime) {
    this.#options = options;
    this.#runtime = runtime;
    this.clientId = options.clientId;
    this.redirectUri = options.redirectUri;
    this.sessionTtlMs = options.sessionTtlMs;
    this.#max = Math.max(1, Math.floor(options.maxCachedSessions ?? DEFAULT_MAX_SESSIONS));
    this.#idTokens = new SentinelIdTokenVerifier(runtime, options.clientId);
  }

  /** The secret that signs login state cookies, if configured (adapters need it). */
  get cookieSecret(): Secret | undefined {
    return this.#options.cookieSecret;
  }

  /**
   * Sentinel's authorize URL (`GET {sentinel}/sentinel/api/account/{acct}/authorize?v=1.0&…`) to
   * send the browser to, with `state`, the registered redirect URI and the PKCE challenge.
   */
  async authorizationUrl(options: AuthorizationUrlOptions): Promise<string> {
    if (typeof options?.state !== 'string' || options.state.length < 16) {
      throw new TypeError(
        'state must be an unguessable string of at least 16 characters (use randomToken()).',
      );
    }
    if (typeof options.pkce?.challenge !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(options.pkce.challenge)) {
      throw new TypeError('pkce must be an S256 pair from createPkce(); PKCE is always on.');
    }
    const url = new URL(`${await this.#sentinelUrl()}/authorize`);
    url.searchParams.set('v', '1.0');
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', this.clientId);
    url.searchParams.set('redirect_uri', this.redirectUri);
    url.searchParams.set('state', options.state);
    url.searchParams.set('code_challenge', options.pkce.challenge);
    url.searchParams.set('code_challenge_method', 'S256');
    if (this.#options.scope) url.searchParams.set('scope', this.#options.scope);
    return url.toString();
  }

  /**
   * Exchanges the callback's code (once; codes are single-use, so this is never retried), verifies
   * the id_token against Sentinel's JWKS, and stores a new session.
   * @throws AppAuthorizationError `authorization_failed` (reused or expired code, wrong verifier or
   *   redirect URI), `id_token_invalid`; `CredentialsRejectedError` for a wrong client secret
   */
  async exchangeCode(options: ExchangeCodeOptions): Promise<UserSession> {
    this.#checkOpen();
    if (typeof options?.code !== 'string' || options.code === '') {
      throw new AppAuthorizationError('authorization_failed', 'The callback carries no authorization code.');
    }
    if (typeof options.codeVerifier !== 'string' || options.codeVerifier === '') {
      throw new AppAuthorizationError('authorization_failed', 'The PKCE verifier of this login is missing.');
    }
    let tokens: GrantedTokens;
    try {
      tokens = await this.#grant(
        {
          grant_type: 'authorization_code',
          code: options.code,
          redirect_uri: this.redirectUri,
          code_verifier: options.codeVerifier,
        },
        options.signal,
      );
    } catch (error) {
      const oauth = oauthErrorOf(error);
      if (oauth === 'invalid_grant') {
        throw new AppAuthorizationError(
          'authorization_failed',
          'Sentinel refused the authorization code (invalid_grant): it was used already, expired, or the redirect URI or PKCE verifier does not match. Log in again.',
          { oauthError: oauth, cause: error },
        );
      }
      throw error;
    }
    if (!tokens.refreshToken || !tokens.idToken) {
      throw new AppAuthorizationError(
        'authorization_failed',
        'Sentinel answered the code without a refresh_token or id_token.',
      );
    }
    const user = await this.#idTokens.verify(tokens.idToken);
    const now = this.#runtime.now();
    const id = randomToken(32);
    const key = userSessionKey(this.#runtime.accountId, id);
    const record: StoredUserSession = {
      refreshToken: tokens.refreshToken,
      user,
      createdAt: now,
      expiresAt: now + this.sessionTtlMs,
    };
    const access: TokenSet = {
      value: tokens.accessToken,
      issuedAt: now,
      expiresAt: tokens.expiresAt,
      refreshAt: computeRefreshAt(now, tokens.expiresAt),
    };
    await this.#runtime.store.set(key, record, this.sessionTtlMs);
    await this.#runtime.store.set(`${key}:access`, access, Math.max(1, tokens.expiresAt - now));
    return userSession(id, user, this.#client(key), record.expiresAt);
  }

  /** The live session `sessionId` names, or undefined (unknown, malformed, ended or expired). */
  async session(sessionId: string | undefined): Promise<UserSession | undefined> {
    this.#checkOpen();
    if (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId)) return undefined;
    const key = userSessionKey(this.#runtime.accountId, sessionId);
    const record = await this.#runtime.store.get<StoredUserSession>(key);
    if (!record || record.expiresAt <= this.#runtime.now()) {
      this.#drop(key);
      return undefined;
    }
    return userSession(sessionId, record.user, this.#client(key), record.expiresAt);
  }

  /**
   * Logs the user out: forgets the session here and in the store, then revokes its refresh token at
   * Sentinel (`POST …/token/revoke`), which ends the user's LivePerson session in every application.
   * The local session is gone even when the revoke call fails (then it throws).
   */
  async revoke(sessionId: string): Promise<void> {
    this.#checkOpen();
    if (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId)) return;
    const key = userSessionKey(this.#runtime.accountId, sessionId);
    const record = await this.#runtime.store.get<StoredUserSession>(key);
    await this.#forget(key);
    if (!record) return;
    const url = new URL(`${await this.#sentinelUrl()}/token/revoke`);
    await callTokenEndpoint(this.#runtime, NAME, url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        token: record.refreshToken,
        token_type_hint: 'refresh_token',
        client_id: this.clientId,
        client_secret: reveal(this.#options.clientSecret),
      }),
    });
  }

  /** Stops refreshes in flight; later calls fail with `closed`. Sessions stay in the store. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#idTokens.close();
    for (const client of this.#clients.values()) await client.credential.close();
    this.#clients.clear();
  }

  #checkOpen(): void {
    if (this.#closed)
      throw new AppAuthorizationError('session_ended', 'Application authorization is closed.');
  }

  /** The client of the session stored under `key`, made once and kept in a bounded LRU. */
  #client(key: string): LpClient {
    let client = this.#clients.get(key);
    if (client) {
      this.#clients.delete(key);
      this.#clients.set(key, client);
      return client;
    }
    const tokens = tokenManagerFor(this.#runtime, {
      name: NAME,
      key: `${key}:access`,
      fetchToken: (signal) => this.#refresh(key, signal),
    });
    client = new LpClient(new UserSessionCredential(tokens), this.#runtime);
    this.#clients.set(key, client);
    while (this.#clients.size > this.#max) this.#drop(this.#clients.keys().next().value!);
    return client;
  }

  /**
   * Forgets the session's client here. An evicted one is not closed: a refresh it still runs must
   * finish and store the rotated refresh token, or the session would be lost.
   */
  #drop(key: string, close = false): void {
    const client = this.#clients.get(key);
    this.#clients.delete(key);
    if (close) void client?.credential.close();
  }

  async #forget(key: string): Promise<void> {
    this.#drop(key, true);
    await Promise.all([this.#runtime.store.delete(key), this.#runtime.store.delete(`${key}:access`)]);
  }

  /**
   * One refresh of the session under `key`, run by its `TokenManager` (one at a time per process,
   * and across processes while the store's lock is held). The rotated refresh token is written to
   * the store before this returns, so before any waiter sees the new access token.
   */
  async #refresh(key: string, signal: AbortSignal): Promise<FetchedToken> {
    const record = await this.#runtime.store.get<StoredUserSession>(key);
    if (!record || record.expiresAt <= this.#runtime.now()) {
      this.#drop(key);
      throw new AppAuthorizationError(
        'session_ended',
        'The user session has ended or expired; log in again.',
      );
    }
    let tokens: GrantedTokens;
    try {
      tokens = await this.#grant({ grant_type: 'refresh_token', refresh_token: record.refreshToken }, signal);
    } catch (error) {
      const oauth = oauthErrorOf(error);
      if (oauth !== 'invalid_grant') throw error;
      await this.#forget(key);
      throw new AppAuthorizationError(
        'session_ended',
        "Sentinel refused the session's refresh token (invalid_grant): the session was revoked, or the token was used twice. Log in again.",
        { oauthError: oauth, cause: error },
      );
    }
    const now = this.#runtime.now();
    const next: StoredUserSession = {
      ...record,
      refreshToken: tokens.refreshToken ?? record.refreshToken,
      expiresAt: now + this.sessionTtlMs,
    };
    await this.#runtime.store.set(key, next, this.sessionTtlMs);
    return { value: tokens.accessToken, expiresAt: tokens.expiresAt };
  }

  /** One call to Sentinel's token endpoint with the client's id and secret in the form body. */
  async #grant(form: Record<string, string>, signal?: AbortSignal): Promise<GrantedTokens> {
    const url = new URL(`${await this.#sentinelUrl()}/token?v=1.0`);
    const { body } = await callTokenEndpoint(
      this.#runtime,
      NAME,
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({
          ...form,
          client_id: this.clientId,
          client_secret: reveal(this.#options.clientSecret),
        }),
      },
      signal,
    );
    const fields = (body ?? {}) as Record<string, unknown>;
    if (typeof fields.access_token !== 'string' || fields.access_token === '') {
      malformedTokenResponse(NAME, url, 'an access_token');
    }
    const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    return {
      accessToken: fields.access_token,
      refreshToken: str(fields.refresh_token),
      idToken: str(fields.id_token),
      expiresAt: tokenExpiry(this.#runtime, NAME, {
        stated: fields.expires_in,
        unit: 'seconds',
        token: fields.access_token,
        defaultMs: ONE_HOUR_MS,
      }),
    };
  }

  async #sentinelUrl(): Promise<string> {
    const base = await this.#runtime.domains.resolve('sentinel');
    return `${base}/sentinel/api/account/${encodeURIComponent(this.#runtime.accountId)}`;
  }
}

/** The RFC 6749 §5.2 `error` of a refused token request, if that is what `error` is. */
function oauthErrorOf(error: unknown): string | undefined {
  if (!(error instanceof TokenRequestError) || error.status !== 400) return undefined;
  const body = error.body as { error?: unknown } | undefined;
  return typeof body?.error === 'string' ? body.error : undefined;
}
