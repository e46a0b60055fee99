import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  AppAuthorizationWeb,
  type AppAuthorizationRoutesOptions,
  type LpAuth,
  type LpRequestContext,
  type WebRedirect,
} from '@lp-auth/core';

/**
 * The login, callback and logout routes of application authorization, and `req.lp.user` for a
 * request with a live session cookie. Everything but the mapping of Express's request and response
 * is `AppAuthorizationWeb`'s (in the core), shared by every adapter.
 */
export function appAuthorizationRoutes(
  lp: LpAuth,
  context: LpRequestContext,
  options: AppAuthorizationRoutesOptions = {},
): RequestHandler {
  const web = new AppAuthorizationWeb(lp.appAuthorization!, options);

  async function handle(req: Request, res: Response): Promise<boolean> {
    const query = new URL(req.originalUrl, 'http://request.invalid').searchParams;
    switch (web.route(req.method, req.baseUrl + req.path)) {
      case 'login':
        redirect(res, await web.login(query));
        return true;
      case 'callback':
        // The state cookie is spent whatever happens; an error answer removes it too.
        res.setHeader('set-cookie', [web.clearStateCookie]);
        redirect(res, await web.callback(query, req.headers.cookie));
        return true;
      case 'logout': {
        const answer = await web.logout(req.headers.cookie);
        if (answer.revokeError) {
          lp.logger.warn('appAuthorization: logged out here, but revoking at Sentinel failed', {
            error:
              answer.revokeError instanceof Error ? answer.revokeError.message : String(answer.revokeError),
          });
        }
        redirect(res, answer);
        return true;
      }
      default: {
        const user = await web.user(req.headers.cookie);
        if (user) req.lp = Object.freeze({ ...context, user });
        return false;
      }
    }
  }

  return (req: Request, res: Response, next: NextFunction) => {
    handle(req, res).then((handled) => {
      if (!handled) next();
    }, next);
  };
}

function redirect(res: Response, answer: WebRedirect): void {
  res.setHeader('set-cookie', answer.setCookies);
  res.setHeader('cache-control', 'no-store');
  res.redirect(answer.status, answer.location);
}
