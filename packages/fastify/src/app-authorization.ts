import type { FastifyReply, FastifyRequest } from 'fastify';
import { type LpAuth } from '@lp-auth/core';
import { AppAuthorizationWeb, type AppAuthorizationRoutesOptions } from '@lp-auth/core/adapter';

/**
 * The login, callback and logout routes of application authorization, and `request.lp.user` for
 * a request with a live session cookie, as the body of an `onRequest` hook (it runs after
 * `request.lp` is set). Everything but the mapping of Fastify's request and reply is
 * `AppAuthorizationWeb.handle`'s (in the core), shared by every adapter.
 *
 * @returns the hook; it answers a login route itself (a redirect), throws a failed one to the
 *   error handler (with the cookies it must still set), and otherwise lets the request go on
 */
export function appAuthorizationRoutes(
  lp: LpAuth,
  options: AppAuthorizationRoutesOptions = {},
): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined> {
  const web = new AppAuthorizationWeb(lp.appAuthorization!, options, lp.logger);
  return async (request, reply) => {
    const outcome = await web.handle({
      method: request.method,
      url: request.raw.url ?? request.url,
      cookie: request.headers.cookie,
      secFetchSite: request.headers['sec-fetch-site'],
      origin: request.headers.origin,
    });
    if ('redirect' in outcome) {
      const { status, location, setCookies } = outcome.redirect;
      return reply
        .header('set-cookie', setCookies)
        .header('cache-control', 'no-store')
        .redirect(location, status);
    }
    if ('error' in outcome) {
      // Fastify keeps headers set before an error (only content-type/length are reset), so the
      // state cookie is removed even though the error handler writes the answer.
      if (outcome.setCookies.length > 0) reply.header('set-cookie', outcome.setCookies);
      throw outcome.error;
    }
    if (outcome.user) request.lp = Object.freeze({ ...request.lp!, user: outcome.user });
    return undefined;
  };
}
