import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { type LpAuth } from '@lp-auth/core';
import {
  AppAuthorizationWeb,
  putLpContext,
  type AppAuthorizationRoutesOptions,
  type LpRequestContext,
} from '@lp-auth/core/adapter';

/**
 * The login, callback and logout routes of application authorization, and `req.lp.user` for a
 * request with a live session cookie. Everything but the mapping of Express's request and response
 * is `AppAuthorizationWeb.handle`'s (in the core), shared by every adapter.
 */
export function appAuthorizationRoutes(
  lp: LpAuth,
  context: LpRequestContext,
  options: AppAuthorizationRoutesOptions = {},
): RequestHandler {
  const web = new AppAuthorizationWeb(lp.appAuthorization!, options, lp.logger);
  return (req: Request, res: Response, next: NextFunction) => {
    const request = {
      method: req.method,
      url: req.originalUrl,
      cookie: req.headers.cookie,
      secFetchSite: req.headers['sec-fetch-site'],
      origin: req.headers.origin,
    };
    web.handle(request).then((outcome) => {
      if ('redirect' in outcome) {
        res.setHeader('set-cookie', outcome.redirect.setCookies);
        res.setHeader('cache-control', 'no-store');
        res.redirect(outcome.redirect.status, outcome.redirect.location);
      } else if ('error' in outcome) {
        if (outcome.setCookies.length > 0) res.setHeader('set-cookie', outcome.setCookies);
        next(outcome.error);
      } else {
        if (outcome.user) putLpContext(req, Object.freeze({ ...context, user: outcome.user }));
        next();
      }
    }, next);
  };
}
