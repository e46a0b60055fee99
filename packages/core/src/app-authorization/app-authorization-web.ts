import { AppAuthorizationError, ConfigError } from '../errors/index.js';
import {
  normaliseReturnTo,
  openLoginState,
  parseCookies,
  safeReturnTo,
  sameSecret,
  sealLoginState,
  serializeCookie,
  type CookieAttributes,
} from './app-authorization-cookies.js';
import type { UserSession } from './app-authorization-session.js';
import type { AppAuthorization } from './app-authorization.js';
import { createPkce, randomToken } from './pkce.js';
import type { Secret } from '../support/secret.js';
import type { Logger } from '../support/logger.js';

/** Paths of the login routes an adapter mounts. The callback's path is the redirect URI's. */
export interface AppAuthorizationRoutesOptions {
  /** Starts a login (`GET`, optional `?returnTo=/path`). Default `/auth/login`. */
  loginPath?: string;
  /**
   * Logs out (`POST`). Default `/auth/logout`. Refused (403 `forbidden_origin`) when the browser
   * says the request comes from another site; see {@link AppAuthorizationWeb.handle}.
   */
  logoutPath?: string;
  /** Where the logout sends the browser: a path on this site. Default `/`. */
  afterLogoutPath?: string;
}

/** What an adapter answers: a redirect, with the cookies to set. */
export interface WebRedirect {
  status: 302;
  location: string;
  setCookies: string[];
}

/** A request as the login routes see it: framework-neutral. */
export interface WebRequest {
  method: string;
  /** The path and query as the client sent them (`/auth/callback?code=…&state=…`). */
  url: string;
  /** The `Cookie` header. */
  cookie?: string | undefined;
  /** The `Sec-Fetch-Site` header (`same-origin`, `same-site`, `cross-site`, `none`), if sent. */
  secFetchSite?: string | readonly string[] | undefined;
  /** The `Origin` header, if sent. */
  origin?: string | readonly string[] | undefined;
}

/**
 * What {@link AppAuthorizationWeb.handle} decided for one request:
 * - `redirect`: a login route answered; send it (status, `Location`, each `Set-Cookie`, `Cache-Control: no-store`);
 * - `error`: a login route failed; set `setCookies`, then hand `error` to the framework's error path;
 * - neither: not a login route; go on, with `user` on the request context when a session is live.
 */
export type WebOutcome =
  { redirect: WebRedirect } | { error: unknown; setCookies: string[] } | { user?: UserSession };

/** How long a login may take between the redirect to Sentinel and the callback. */
const LOGIN_STATE_TTL_MS = 10 * 60_000;

/**
 * The framework-neutral part of the login routes, so that every adapter only maps requests:
 * `GET login` sends the browser to Sentinel with `state` and PKCE kept in a signed, HttpOnly,
 * SameSite=Lax cookie (Lax, because the callback is a cross-site navigation); `GET callback`
 * checks that cookie and `state`, exchanges the code and sets the session cookie (the opaque
 * session id); `POST logout` revokes the session. Cookies are `__Host-` prefixed and `Secure` when
 * the redirect URI is https.
 *
 * @example
 * ```ts
 * const web = new AppAuthorizationWeb(lp.appAuthorization!);
 * // GET /auth/login     → const r = await web.login(url.searchParams)
 * // GET /auth/callback  → const r = await web.callback(url.searchParams, req.headers.cookie)
 * // answer r.status with Location r.location and each of r.setCookies
 * const user = await web.user(req.headers.cookie); // the logged-in user's session, if any
 * ```
 */
export class AppAuthorizationWeb {
  readonly loginPath: string;
  readonly logoutPath: string;
  readonly callbackPath: string;
  readonly afterLogoutPath: string;
  readonly stateCookie: string;
  readonly sessionCookie: string;
  /** This app's origin, the redirect URI's: `returnTo` must stay on it, and so must a logout's `Origin`. */
  readonly origin: string;
  readonly #auth: AppAuthorization;
  readonly #secret: Secret;
  readonly #secure: boolean;

  readonly #logger: Pick<Logger, 'warn'> | undefined;

  constructor(
    auth: AppAuthorization,
    options: AppAuthorizationRoutesOptions = {},
    logger?: Pick<Logger, 'warn'>,
  ) {
    this.#logger = logger;
    const secret = auth.cookieSecret;
    if (!secret) {
      throw new ConfigError(
        'appAuthorization.cookieSecret',
        'is required for the login routes: a random string of at least 32 characters that signs the login state cookie.',
      );
    }
    this.#auth = auth;
    this.#secret = secret;
    const redirect = new URL(auth.redirectUri);
    this.#secure = redirect.protocol === 'https:';
    this.origin = redirect.origin;
    this.callbackPath = redirect.pathname;
    this.loginPath = routePath('loginPath', options.loginPath ?? '/auth/login');
    this.logoutPath = routePath('logoutPath', options.logoutPath ?? '/auth/logout');
    const afterLogout = normaliseReturnTo(options.afterLogoutPath ?? '/', this.origin);
    if (afterLogout === undefined) {
      throw new ConfigError(
        'appAuthorization.routes.afterLogoutPath',
        'must be a path on this site, e.g. "/" or "/goodbye".',
      );
    }
    this.afterLogoutPath = afterLogout;
    const prefix = this.#secure ? '__Host-' : '';
    this.stateCookie = `${prefix}lp_auth_state`;
    this.sessionCookie = `${prefix}lp_auth_session`;
  }

  /**
   * The whole of the login routes for one request, so that an adapter only maps its request and
   * response: which route it is, its answer, the state cookie removed on every callback answer
   * (failed ones too), a failed revoke logged, and the logged-in user for any other request.
   *
   * A logout the browser marks as cross-site is refused with 403 `forbidden_origin`, before the
   * session is touched: with `Sec-Fetch-Site`, only `same-origin` and `none` (typed by the user)
   * pass; without it, an `Origin` must be this app's ({@link AppAuthorizationWeb.origin}). A request
   * with neither header passes: browsers that send neither are old, and they still withhold the
   * SameSite=Lax session cookie from another site's POST, so such a logout ends no session.
   */
  async handle(request: WebRequest): Promise<WebOutcome> {
    // A request target that is no URL (`//host:99999/`) is no login route; it must not throw here,
    // where every request of the app passes.
    const url = URL.canParse(request.url, 'http://request.invalid')
      ? new URL(request.url, 'http://request.invalid')
      : undefined;
    const route = url && this.route(request.method, url.pathname);
    if (url === undefined || route === undefined) return { user: await this.user(request.cookie) };
    try {
      if (route === 'login') return { redirect: await this.login(url.searchParams) };
      if (route === 'callback') return { redirect: await this.callback(url.searchParams, request.cookie) };
      this.#refuseCrossSite(request);
      const answer = await this.logout(request.cookie);
      if (answer.revokeError) {
        const error = answer.revokeError;
        this.#logger?.warn('appAuthorization: logged out here, but revoking at Sentinel failed', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
      return {
        redirect: { status: answer.status, location: answer.location, setCookies: answer.setCookies },
      };
    } catch (error) {
      return { error, setCookies: route === 'callback' ? [this.clearStateCookie] : [] };
    }
  }

  /** Which login route `method` + `pathname` is, if any. */
  route(method: string, pathname: string): 'login' | 'callback' | 'logout' | undefined {
    if (method === 'GET' && pathname === this.loginPath) return 'login';
    if (method === 'GET' && pathname === this.callbackPath) return 'callback';
    if (method === 'POST' && pathname === this.logoutPath) return 'logout';
    return undefined;
  }

  /**
   * Starts a login: the redirect to Sentinel's authorize page and the signed state cookie. A
   * `returnTo` that is not a plain path on this site (see `normaliseReturnTo`) becomes `/`.
   */
  async login(query: URLSearchParams): Promise<WebRedirect> {
    const returnTo = safeReturnTo(query.get('returnTo'), '/', this.origin);
    const state = randomToken();
    const pkce = createPkce();
    const sealed = sealLoginState(
      { state, codeVerifier: pkce.verifier, returnTo, expiresAt: Date.now() + LOGIN_STATE_TTL_MS },
      this.#secret,
    );
    return {
      status: 302,
      location: await this.#auth.authorizationUrl({ state, pkce }),
      setCookies: [this.#cookie(this.stateCookie, sealed, LOGIN_STATE_TTL_MS / 1000)],
    };
  }

  /** The `Set-Cookie` that removes the state cookie; set it on every callback answer, failed ones too. */
  get clearStateCookie(): string {
    return this.#cookie(this.stateCookie, '', 0);
  }

  /**
   * Finishes a login: checks the signed state cookie and `state` (constant time), refuses
   * LivePerson's `error=…`, exchanges the code with the cookie's PKCE verifier, and answers with the
   * session cookie and a redirect to the login's `returnTo`.
   * @throws AppAuthorizationError `state_mismatch`, `authorization_denied`, `authorization_failed`, `id_token_invalid`
   */
  async callback(
    query: URLSearchParams,
    cookieHeader: string | undefined,
  ): Promise<WebRedirect & { session: UserSession }> {
    const login = openLoginState(parseCookies(cookieHeader).get(this.stateCookie), this.#secret, Date.now());
    const state = query.get('state');
    if (state === null || !sameSecret(state, login.state, this.#secret)) {
      throw new AppAuthorizationError(
        'state_mismatch',
        "The callback's state does not match this browser's login; start the login again.",
      );
    }
    const error = query.get('error');
    if (error !== null) {
      const shown = error.replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 64);
      throw new AppAuthorizationError(
        'authorization_denied',
        `LivePerson did not authorize the login (${shown || 'unknown error'}).`,
        { oauthError: shown },
      );
    }
    const session = await this.#auth.exchangeCode({
      code: query.get('code') ?? '',
      codeVerifier: login.codeVerifier,
    });
    return {
      status: 302,
      // Checked again: the cookie may have been sealed by a version with a weaker check.
      location: safeReturnTo(login.returnTo, '/', this.origin),
      setCookies: [
        this.clearStateCookie,
        this.#cookie(this.sessionCookie, session.id, this.#auth.sessionTtlMs / 1000),
      ],
      session,
    };
  }

  /**
   * Logs out the session of `cookieHeader` (removed from the store, revoked at Sentinel) and
   * removes the cookie. The user is logged out here even when the revoke call fails; `revokeError`
   * then says why, for the adapter to log.
   */
  async logout(cookieHeader: string | undefined): Promise<WebRedirect & { revokeError?: unknown }> {
    const id = parseCookies(cookieHeader).get(this.sessionCookie);
    const answer: WebRedirect = {
      status: 302,
      location: this.afterLogoutPath,
      setCookies: [this.#cookie(this.sessionCookie, '', 0)],
    };
    try {
      if (id) await this.#auth.revoke(id);
      return answer;
    } catch (revokeError) {
      return { ...answer, revokeError };
    }
  }

  /** The logged-in user's session for `cookieHeader`, or undefined. */
  user(cookieHeader: string | undefined): Promise<UserSession | undefined> {
    const id = parseCookies(cookieHeader).get(this.sessionCookie);
    return id ? this.#auth.session(id) : Promise.resolve(undefined);
  }

  #refuseCrossSite(request: WebRequest): void {
    const site = oneHeader(request.secFetchSite);
    const origin = oneHeader(request.origin);
    const allowed =
      site !== undefined
        ? site === 'same-origin' || site === 'none'
        : origin === undefined || origin === this.origin;
    if (!allowed) {
      throw new AppAuthorizationError(
        'forbidden_origin',
        `Logout refused: the browser sent it from another origin (${site !== undefined ? 'Sec-Fetch-Site' : 'Origin'}). ` +
          `Log out with a form or fetch on ${this.origin} itself.`,
      );
    }
  }

  #cookie(name: string, value: string, maxAgeSeconds: number): string {
    const attributes: CookieAttributes = {
      httpOnly: true,
      secure: this.#secure,
      sameSite: 'Lax',
      path: '/',
      maxAge: maxAgeSeconds,
    };
    return serializeCookie(name, value, attributes);
  }
}

function routePath(field: string, value: string): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//')) {
    throw new ConfigError(
      `appAuthorization.routes.${field}`,
      'must be a path starting with "/", e.g. "/auth/login".',
    );
  }
  return value;
}

/** A header's one value; a header sent twice is treated as a value no rule accepts. */
function oneHeader(value: string | readonly string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value.trim();
  if (value.length === 0) return undefined;
  return value.length === 1 ? value[0]!.trim() : '(several values)';
}
