import type { ServerResponse } from 'node:http';
import { Inject, Injectable, Optional, type NestMiddleware } from '@nestjs/common';
import { putLpContext, type AppAuthorizationWeb, type LpRequestContext } from '@lp-auth/core/adapter';
import type { LpNodeRequest } from './request-context.js';

/** Injection token of the shared request context (`lpRequestContext(lp)`). */
export const LP_REQUEST_CONTEXT = Symbol.for('@lp-auth/nestjs:LpRequestContext');
/** Injection token of the login routes (`AppAuthorizationWeb`), null without `appAuthorization`. */
export const LP_APP_AUTHORIZATION_WEB = Symbol.for('@lp-auth/nestjs:AppAuthorizationWeb');

/**
 * Puts `lp` on every request and, when the core has `appAuthorization`, serves the login routes
 * (`GET /auth/login`, the redirect URI's callback, `POST /auth/logout`) and adds the logged-in user.
 * What each request gets is `AppAuthorizationWeb.handle`'s (in the core); this only maps it.
 *
 * Registered by `LpAuthModule` for every route. It writes with Node's own response API only,
 * because on Fastify Nest middleware gets the raw request and response, and on Express they
 * extend them. Errors are thrown, not passed to `next`: Nest then sends them through the
 * exception filters (the module's answers `@lp-auth` errors) on both platforms.
 */
@Injectable()
export class LpRequestContextMiddleware implements NestMiddleware<LpNodeRequest, ServerResponse> {
  constructor(
    @Inject(LP_REQUEST_CONTEXT) private readonly context: LpRequestContext,
    @Optional() @Inject(LP_APP_AUTHORIZATION_WEB) private readonly web: AppAuthorizationWeb | null,
  ) {}

  use(req: LpNodeRequest, res: ServerResponse, next: (error?: unknown) => void): void | Promise<void> {
    putLpContext(req, this.context);
    // Without login routes nothing waits: no promise per request (Nest awaits what `use` returns).
    if (!this.web) return next();
    return this.#served(this.web, req, res, next);
  }

  async #served(
    web: AppAuthorizationWeb,
    req: LpNodeRequest,
    res: ServerResponse,
    next: (error?: unknown) => void,
  ): Promise<void> {
    const outcome = await web.handle({
      method: req.method ?? 'GET',
      // Express's router and Fastify's middleware runner may strip a mount path from `url`.
      url: req.originalUrl ?? req.url ?? '/',
      cookie: req.headers.cookie,
      secFetchSite: req.headers['sec-fetch-site'],
      origin: req.headers.origin,
    });
    if ('redirect' in outcome) {
      const { status, location, setCookies } = outcome.redirect;
      res.statusCode = status;
      res.setHeader('set-cookie', setCookies);
      res.setHeader('cache-control', 'no-store');
      res.setHeader('location', location);
      res.end();
    } else if ('error' in outcome) {
      if (outcome.setCookies.length > 0) res.setHeader('set-cookie', outcome.setCookies);
      throw outcome.error;
    } else {
      if (outcome.user) putLpContext(req, Object.freeze({ ...this.context, user: outcome.user }));
      next();
    }
  }
}
