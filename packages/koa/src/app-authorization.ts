import type { Middleware } from 'koa';
import { type LpAuth } from '@lp-auth/core';
import {
  AppAuthorizationWeb,
  type AppAuthorizationRoutesOptions,
  type LpRequestContext,
} from '@lp-auth/core/adapter';

/**
 * The login, callback and logout routes of application authorization, and `ctx.state.lp.user` for
 * a request with a live session cookie. Everything but the mapping of Koa's context is
 * `AppAuthorizationWeb.handle`'s (in the core), shared by every adapter. Its errors are thrown, for
 * `lpAuth()` (which runs this inside its error mapping) to answer.
 */
export function appAuthorizationRoutes(
  lp: LpAuth,
  context: LpRequestContext,
  options: AppAuthorizationRoutesOptions = {},
): Middleware {
  const web = new AppAuthorizationWeb(lp.appAuthorization!, options, lp.logger);
  return async (ctx, next) => {
    const outcome = await web.handle({
      method: ctx.method,
      url: ctx.originalUrl,
      cookie: ctx.get('cookie') || undefined,
      secFetchSite: ctx.get('sec-fetch-site') || undefined,
      origin: ctx.get('origin') || undefined,
    });
    if ('redirect' in outcome) {
      ctx.set('set-cookie', outcome.redirect.setCookies);
      ctx.set('cache-control', 'no-store');
      ctx.status = outcome.redirect.status; // before redirect(), which keeps a redirect status it finds
      ctx.redirect(outcome.redirect.location); // never "back" (Koa 2's Referer alias): always a path or Sentinel's URL
      return;
    }
    if ('error' in outcome) {
      if (outcome.setCookies.length > 0) ctx.set('set-cookie', outcome.setCookies);
      throw outcome.error;
    }
    if (outcome.user) ctx.state.lp = Object.freeze({ ...context, user: outcome.user });
    await next();
  };
}
