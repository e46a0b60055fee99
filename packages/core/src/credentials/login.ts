import { reveal, type Secret } from '../support/secret.js';
import { redactUrl } from '../support/redact.js';
import { ConfigError, LoginBlockedError, TokenRequestError } from '../errors/index.js';
import { bool, positive, requiredSecret, requiredString } from '../support/validate.js';
import { sendOnce } from '../http/send.js';
import type { TokenManager, TokenSet } from '../tokens/token-manager.js';
import {
  type AuthorizeContext,
  type AuthorizeResult,
  type Credential,
  type CredentialRuntime,
  type OutgoingRequest,
  tokenForRequest,
  tokenManagerFor,
} from './credential.js';
import { warnOAuth1Deprecated } from './oauth1.js';
import { callTokenEndpoint, malformedTokenResponse, tokenExpiry } from './token-endpoint.js';

/**
 * Options of LivePerson's Login Service (service `agentVep`). Give either a user's `password`, or a
 * bot's `appKey` and `secret` (with `accessToken` and `accessTokenSecret` for an OAuth 1.0 key; left
 * out for an OAuth 2.0 client id and secret, when `"dummy"` is sent for both, as LivePerson documents).
 */
export interface LoginOptions {
  /** The login name of the agent or bot user. */
  username: string;
  /** User login. */
  password?: string | Secret;
  /** Bot login: the API key's app key, or an OAuth 2.0 client id. */
  appKey?: string;
  /** Bot login: the API key's secret, or the OAuth 2.0 client secret. */
  secret?: string | Secret;
  /** Bot login with an OAuth 1.0 key: its access token. */
  accessToken?: string;
  /** Bot login with an OAuth 1.0 key: its access token secret. */
  accessTokenSecret?: string | Secret;
  /** Keepalive (`/refresh`) period, jittered by ±10 %. Default 300 000 (5 minutes; LivePerson asks for 3–5). */
  keepaliveIntervalMs?: number;
  /** Log out on `close()`. Default true. Turn off when other processes share the session through a shared store. */
  logoutOnClose?: boolean;
}

/** What the Login Service says about the logged-in user; no secret in it. */
export interface LoginSession {
  /** LivePerson's `config` object as sent (`userId`, `loginName`, `userPrivileges`, `isAdmin`, `isLPA`, …). */
  config: Record<string, unknown>;
  userId?: string;
  userPid?: string;
  loginName?: string;
  /** When the session ends (login time + `sessionTTl`), epoch ms. */
  expiresAt: number;
}

/** Keepalive default (LivePerson: every 3–5 minutes). */
export const DEFAULT_KEEPALIVE_MS = 5 * 60_000;
/** {@link LoginOptions} after validation: secrets wrapped, defaults applied. */
export type ResolvedLoginOptions = LoginOptions & {
  password?: Secret;
  secret?: Secret;
  accessTokenSecret?: Secret;
  keepaliveIntervalMs: number;
  logoutOnClose: boolean;
};

/**
 * Validates `credentials.login` (or the options at `field`): a user login (`password`) or a bot
 * login (`appKey` + `secret`, with `accessToken` + `accessTokenSecret` for an OAuth 1.0 key).
 */
export function resolveLoginOptions(value: LoginOptions, field = 'credentials.login'): ResolvedLoginOptions {
  const f = field;
  const common = {
    username: requiredString(`${f}.username`, value.username),
    keepaliveIntervalMs: positive(
      `${f}.keepaliveIntervalMs`,
      value.keepaliveIntervalMs,
      DEFAULT_KEEPALIVE_MS,
    ),
    logoutOnClose: bool(`${f}.logoutOnClose`, value.logoutOnClose, true),
  };
  const bot = value.appKey !== undefined || value.secret !== undefined;
  if (value.password !== undefined && bot) {
    throw new ConfigError(
      `${f}.password`,
      'give either password (user login) or appKey and secret (bot login), not both.',
    );
  }
  if (!bot) {
    if (value.password === undefined) {
      throw new ConfigError(
        `${f}.password`,
        'is required for a user login (or give appKey and secret for a bot login).',
      );
    }
    return { ...common, password: requiredSecret(`${f}.password`, value.password) };
  }
  const login: ResolvedLoginOptions = {
    ...common,
    appKey: requiredString(`${f}.appKey`, value.appKey),
    secret: requiredSecret(`${f}.secret`, value.secret),
  };
  if ((value.accessToken === undefined) !== (value.accessTokenSecret === undefined)) {
    throw new ConfigError(
      value.accessToken === undefined ? `${f}.accessToken` : `${f}.accessTokenSecret`,
      'give accessToken and accessTokenSecret together (an OAuth 1.0 key), or neither (an OAuth 2.0 client id and secret).',
    );
  }
  if (value.accessToken !== undefined) {
    login.accessToken = requiredString(`${f}.accessToken`, value.accessToken);
    login.accessTokenSecret = requiredSecret(`${f}.accessTokenSecret`, value.accessTokenSecret);
  }
  return login;
}

/** LivePerson's documented wait after a 429 "too many logins". */
const LOGIN_RATE_LIMIT_WAIT_MS = 5_000;
/** Used when a login answer has no usable `sessionTTl` (LivePerson's usual value). */
const DEFAULT_SESSION_TTL_MS = 8 * 60 * 60_000;
const DUMMY = 'dummy';

/**
 * LivePerson Login Service: logs a user or bot in (`POST {agentVep}/api/account/{acct}/login?v=1.3`),
 * sends `Authorization: Bearer <bearer>`, keeps the session alive with a jittered `/refresh`
 * (session cookie + csrf), logs in again once when the keepalive or an API answers 401, and logs out
 * on `close()`. The session lasts `sessionTTl`; the token engine logs in again shortly before it ends.
 *
 * @example
 * ```ts
 * const lp = createLpAuth({ accountId, credentials: { login: { username: 'bot', password: process.env.PW! } } });
 * const me = await (lp.clients.login!.credential as LoginCredential).session();
 * console.log(me.userId, me.loginName);
 * ```
 */
export class LoginCredential implements Credential {
  readonly kind = 'login';
  readonly refreshable = true;
  readonly tokens: TokenManager;
  readonly #options: LoginOptions;
  readonly #runtime: CredentialRuntime;
  readonly #intervalMs: number;
  readonly #closing = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  /** The bearer an API or the keepalive refused; its session is not logged out (it is gone). */
  #dead: string | undefined;

  constructor(options: LoginOptions, runtime: CredentialRuntime) {
    this.#options = options;
    this.#runtime = runtime;
    this.#intervalMs = options.keepaliveIntervalMs ?? DEFAULT_KEEPALIVE_MS;
    this.tokens = tokenManagerFor(runtime, {
      name: this.kind,
      key: `lp:${runtime.accountId}:login:${options.username}`,
      fetchToken: (signal, previous) => this.#login(signal, previous),
      onRefreshed: () => this.#scheduleKeepalive(),
    });
  }

  async authorize(request: OutgoingRequest, context: AuthorizeContext): Promise<AuthorizeResult> {
    if (context.rejected !== undefined) this.#dead = context.rejected;
    const token = await tokenForRequest(this.tokens, context);
    // A session found in a shared store needs this process's keepalive too.
    this.#scheduleKeepalive();
    request.headers.set('authorization', `Bearer ${token.value}`);
    return { token: token.value };
  }

  /** The logged-in user (logging in first if needed). */
  async session(signal?: AbortSignal): Promise<LoginSession> {
    const token = await this.tokens.getToken(signal ? { signal } : {});
    this.#scheduleKeepalive();
    return sessionOf(token);
  }

  invalidate(): Promise<void> {
    return this.tokens.invalidate();
  }

  /** Stops the keepalive, logs out (unless `logoutOnClose: false`), and ends the token engine. */
  async close(): Promise<void> {
    if (this.#closing.signal.aborted) return;
    this.#closing.abort();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const token = this.tokens.peek();
    this.tokens.close();
    if (token && this.#options.logoutOnClose !== false) {
      await this.#logout(token);
      await this.tokens.invalidate().catch(() => undefined);
    }
  }

  /** Runs one keepalive now (what the timer does). Resolves true when LivePerson accepted it. */
  async keepalive(): Promise<boolean> {
    const token = this.tokens.peek();
    if (!token || this.#closing.signal.aborted) return false;
    const url = await this.#url('refresh', '?v=1.3');
    let status: number;
    try {
      const response = await sendOnce(
        this.#runtime.fetch,
        url,
        this.#sessionCall(token),
        this.#runtime.timeoutMs,
        this.#closing.signal,
      );
      await response.body?.cancel();
      status = response.status;
    } catch (error) {
      if (!this.#closing.signal.aborted) {
        this.#runtime.logger.warn('login: keepalive failed; will try again at the next one', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
      return false;
    }
    if (status >= 200 && status < 300) {
      this.#runtime.logger.debug('login: keepalive accepted');
      return true;
    }
    if (status === 401 || status === 403) {
      this.#runtime.logger.info(`login: keepalive answered ${status}; the session is gone, logging in again`);
      this.#dead = token.value;
      try {
        await this.tokens.getToken({ forceRefresh: true, rejected: token.value });
      } catch (error) {
        if (!this.#closing.signal.aborted) {
          this.#runtime.logger.error('login: logging in again after a refused keepalive failed', {
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
      return false;
    }
    this.#runtime.logger.warn(`login: keepalive answered ${status}; will try again at the next one`, {
      url: redactUrl(url),
    });
    return false;
  }

  #scheduleKeepalive(): void {
    if (this.#timer || this.#closing.signal.aborted) return;
    const delay = Math.round(this.#intervalMs * (0.9 + Math.random() * 0.2));
    this.#timer = setTimeout(() => {
      void this.keepalive().finally(() => {
        this.#timer = undefined;
        this.#scheduleKeepalive();
      });
    }, delay);
    // A keepalive must never keep the process alive by itself.
    this.#timer.unref();
  }

  async #url(action: 'login' | 'refresh' | 'logout', query: string): Promise<URL> {
    const base = await this.#runtime.domains.resolve('agentVep');
    return new URL(`${base}/api/account/${encodeURIComponent(this.#runtime.accountId)}/${action}${query}`);
  }

  #sessionCall(token: TokenSet): RequestInit {
    return {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        cookie: token.data?.cookie ?? '',
      },
      body: JSON.stringify({ csrf: token.data?.csrf ?? '' }),
    };
  }

  async #logout(token: TokenSet): Promise<void> {
    try {
      const url = await this.#url('logout', '');
      const response = await sendOnce(
        this.#runtime.fetch,
        url,
        this.#sessionCall(token),
        this.#runtime.timeoutMs,
      );
      await response.body?.cancel();
      if (!response.ok) this.#runtime.logger.debug(`login: logout answered ${response.status}`);
    } catch (error) {
      this.#runtime.logger.debug('login: logout failed', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  #loginBody(): Record<string, string> {
    const o = this.#options;
    if (o.password !== undefined) return { username: o.username, password: reveal(o.password) };
    const oauth1 = o.accessToken !== undefined && o.accessToken !== DUMMY;
    if (oauth1)
      warnOAuth1Deprecated(this.#runtime.logger, 'The login credential (bot login with an API key)');
    return {
      username: o.username,
      appKey: o.appKey ?? '',
      secret: reveal(o.secret ?? ''),
      accessToken: o.accessToken ?? DUMMY,
      accessTokenSecret: o.accessTokenSecret === undefined ? DUMMY : reveal(o.accessTokenSecret),
    };
  }

  async #login(signal: AbortSignal, previous: TokenSet | undefined) {
    const url = await this.#url('login', '?v=1.3');
    let result;
    try {
      result = await callTokenEndpoint(
        this.#runtime,
        this.kind,
        url,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(this.#loginBody()),
        },
        signal,
      );
    } catch (error) {
      if (error instanceof TokenRequestError && error.status === 451) throw new LoginBlockedError(error.body);
      if (error instanceof TokenRequestError && error.status === 429 && error.retryAfterMs === undefined) {
        // "Too many logins, retry after 5 seconds", usually without a Retry-After header.
        throw new TokenRequestError(this.kind, 'Login Service answered 429 (too many logins)', {
          status: 429,
          method: error.method,
          url: error.url,
          body: error.body,
          requestId: error.requestId,
          retryAfterMs: LOGIN_RATE_LIMIT_WAIT_MS,
          retryable: true,
        });
      }
      throw error;
    }
    const body = (result.body ?? {}) as {
      bearer?: unknown;
      csrf?: unknown;
      sessionTTl?: unknown;
      config?: unknown;
    };
    if (typeof body.bearer !== 'string' || body.bearer === '')
      malformedTokenResponse(this.kind, url, 'a bearer');
    if (typeof body.csrf !== 'string' || body.csrf === '') malformedTokenResponse(this.kind, url, 'a csrf');
    const cookies = result.response.headers.getSetCookie().map((line) => line.split(';', 1)[0]!.trim());
    if (!cookies.some((c) => c.split('=', 1)[0]!.trim().toLowerCase() === 'session_id')) {
      malformedTokenResponse(this.kind, url, 'a Session_id cookie');
    }
    const config = body.config && typeof body.config === 'object' ? body.config : {};
    if (previous && previous.value !== this.#dead) {
      // A session replaced before its end: end it rather than leave it to time out.
      void this.#logout(previous);
    }
    return {
      value: body.bearer,
      // sessionTTl is a string of milliseconds; the bearer is not a JWT.
      expiresAt: tokenExpiry(this.#runtime, this.kind, {
        stated: body.sessionTTl,
        unit: 'milliseconds',
        defaultMs: DEFAULT_SESSION_TTL_MS,
      }),
      data: { csrf: body.csrf, cookie: cookies.join('; '), config: JSON.stringify(config) },
    };
  }
}

function sessionOf(token: TokenSet): LoginSession {
  let config: Record<string, unknown> = {};
  try {
    config = JSON.parse(token.data?.config ?? '{}') as Record<string, unknown>;
  } catch {
    // A store entry from an older version: no config.
  }
  const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);
  const session: LoginSession = { config, expiresAt: token.expiresAt };
  const userId = text(config.userId);
  const userPid = text(config.userPid);
  const loginName = text(config.loginName);
  if (userId !== undefined) session.userId = userId;
  if (userPid !== undefined) session.userPid = userPid;
  if (loginName !== undefined) session.loginName = loginName;
  return session;
}
