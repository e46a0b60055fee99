import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { type LpAuth, type LpAuthOptions } from '@lp-auth/core';
import {
  adapterLpAuth,
  lpRequestContext,
  putLpContext,
  type AppAuthorizationRoutesOptions,
  type LpRequestContext,
} from '@lp-auth/core/adapter';

import { appAuthorizationRoutes } from './app-authorization.js';

export type { LpRequestContext };

/** Express-side options of {@link lpAuth}. */
export interface LpAuthExpressOptions {
  /** Paths of the login routes mounted when the core has `appAuthorization` (callback: the redirect URI's path). */
  appAuthorization?: AppAuthorizationRoutesOptions;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /**
       * Set by `lpAuth()` (and by a consumer guard): absent on a route that neither runs before.
       * `lpOf(req)` and `consumerOf(req)` read it typed, or fail with a typed error.
       */
      lp?: LpRequestContext;
    }
  }
}

/** The middleware, with the core it owns. */
export interface LpAuthMiddleware extends RequestHandler {
  readonly lp: LpAuth;
  /** Closes the core: timers, retries, sessions. Call it on shutdown. */
  close(): Promise<void>;
}

/**
 * Builds the core once (options are validated now and a bad field throws at start-up) and puts
 * `req.lp` on every request. Pass an existing `LpAuth` to share one between apps; without
 * arguments it reads the `LP_*` environment variables.
 *
 * With the `appAuthorization` option it also serves `GET /auth/login` (`?returnTo=/path`), the
 * redirect URI's callback and `POST /auth/logout`, and puts the logged-in user on `req.lp.user`.
 *
 * @example
 * ```ts
 * app.use(lpAuth({ accountId, appAuthorization: { clientId, clientSecret, redirectUri, cookieSecret } }));
 * app.get('/me', (req, res) => {
 *   const { user } = lpOf(req);
 *   return user ? res.json(user.user) : res.redirect('/auth/login?returnTo=/me');
 * });
 * ```
 */
export function lpAuth(
  options?: LpAuthOptions | LpAuth,
  expressOptions: LpAuthExpressOptions = {},
): LpAuthMiddleware {
  const { lp } = adapterLpAuth(options);
  const context = lpRequestContext(lp);
  const routes = lp.appAuthorization
    ? appAuthorizationRoutes(lp, context, expressOptions.appAuthorization)
    : undefined;
  const middleware = ((req: Request, res: Response, next: NextFunction) => {
    putLpContext(req, context);
    if (routes) routes(req, res, next);
    else next();
  }) as LpAuthMiddleware;
  Object.defineProperty(middleware, 'lp', { value: lp, enumerable: true });
  Object.defineProperty(middleware, 'close', { value: () => lp.close() });
  return middleware;
}
