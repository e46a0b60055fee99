import type { Middleware } from 'koa';
import { type LpAuth, type LpAuthOptions } from '@lp-auth/core';
import {
  adapterLpAuth,
  lpRequestContext,
  type AppAuthorizationRoutesOptions,
  resolveHttpErrorResponseOptions,
  type HttpErrorResponseOptions,
  type LpRequestContext,
} from '@lp-auth/core/adapter';
import { appAuthorizationRoutes } from './app-authorization.js';
import { answerLpAuthError } from './error-response.js';

export type { LpRequestContext };

declare module 'koa' {
  interface DefaultState {
    /**
     * Set by `lpAuth()`: the clients and the core; `consumer` on routes behind `requireConsumer()` /
     * `optionalConsumer()`; `user` when a LivePerson user is logged in through the login routes.
     */
    lp: LpRequestContext;
  }
}

/** Koa-side options of {@link lpAuth}. */
export interface LpAuthKoaOptions {
  /** Paths of the login routes served when the core has `appAuthorization` (callback: the redirect URI's path). */
  appAuthorization?: AppAuthorizationRoutesOptions;
  /**
   * How `@lp-auth` errors are answered: `expose: false` keeps 5xx bodies to a code and a generic
   * message; `format(error, response)` builds your own body. Default: the core's bodies.
   */
  errorResponse?: HttpErrorResponseOptions;
}

/** The middleware, with the core it owns. */
export interface LpAuthMiddleware extends Middleware {
  readonly lp: LpAuth;
  /** Closes the core: timers, retries, sessions. Call it on shutdown. */
  close(): Promise<void>;
}

/**
 * Builds the core once (options are validated now; a bad field throws at start-up), puts
 * `ctx.state.lp` on every request, and answers `@lp-auth` errors thrown further down as JSON with
 * their status and headers (`WWW-Authenticate` for consumer tokens). Other errors pass through to
 * Koa untouched. Pass an existing `LpAuth` to share one; without arguments it reads `LP_*` variables.
 *
 * With the `appAuthorization` option it also serves `GET /auth/login` (`?returnTo=/path`), the
 * redirect URI's callback and `POST /auth/logout`, and puts the logged-in user on
 * `ctx.state.lp.user`; `koaOptions.appAuthorization` moves those paths.
 *
 * @example
 * ```ts
 * const app = new Koa();
 * app.use(lpAuth({ accountId: '12345678', credentials: { appJwt: { clientId, clientSecret } } }));
 * app.use(async (ctx) => {
 *   ctx.body = (await ctx.state.lp.clients.appJwt!.request({ service: 'accountConfigReadOnly', path })).data;
 * });
 * ```
 *
 * @example Log in with LivePerson
 * ```ts
 * app.use(lpAuth({ accountId, appAuthorization: { clientId, clientSecret, redirectUri, cookieSecret } }));
 * router.get('/me', (ctx) => {
 *   if (ctx.state.lp.user) ctx.body = ctx.state.lp.user.user;
 *   else ctx.redirect('/auth/login?returnTo=/me');
 * });
 * ```
 */
export function lpAuth(
  options?: LpAuthOptions | LpAuth,
  koaOptions: LpAuthKoaOptions = {},
): LpAuthMiddleware {
  const { lp } = adapterLpAuth(options);
  const errorResponse = resolveHttpErrorResponseOptions(koaOptions.errorResponse, 'errorResponse');
  const context = lpRequestContext(lp);
  const routes = lp.appAuthorization
    ? appAuthorizationRoutes(lp, context, koaOptions.appAuthorization)
    : undefined;
  const middleware = (async (ctx, next) => {
    ctx.state.lp = context;
    try {
      if (routes) await routes(ctx, next);
      else await next();
    } catch (error) {
      if (!answerLpAuthError(ctx, error, errorResponse)) throw error;
    }
  }) as LpAuthMiddleware;
  Object.defineProperty(middleware, 'lp', { value: lp, enumerable: true });
  Object.defineProperty(middleware, 'close', { value: () => lp.close() });
  return middleware;
}
