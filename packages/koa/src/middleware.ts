import type { Middleware } from 'koa';
import {
  adapterLpAuth,
  httpErrorResponse,
  LpAuthError,
  lpRequestContext,
  type LpAuth,
  type LpAuthOptions,
  type LpRequestContext,
} from '@lp-auth/core';

export type { LpRequestContext };

declare module 'koa' {
  interface DefaultState {
    /** Set by `lpAuth()`. */
    lp: LpRequestContext;
  }
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
 * @example
 * ```ts
 * const app = new Koa();
 * app.use(lpAuth({ accountId: '12345678', credentials: { appJwt: { clientId, clientSecret } } }));
 * app.use(async (ctx) => {
 *   ctx.body = (await ctx.state.lp.clients.appJwt!.request({ service: 'accountConfigReadOnly', path })).data;
 * });
 * ```
 */
export function lpAuth(options?: LpAuthOptions | LpAuth): LpAuthMiddleware {
  const { lp } = adapterLpAuth(options);
  const context = lpRequestContext(lp);
  const middleware = (async (ctx, next) => {
    ctx.state.lp = context;
    try {
      await next();
    } catch (error) {
      if (!(error instanceof LpAuthError) || ctx.headerSent) throw error;
      const { status, headers, body } = httpErrorResponse(error);
      ctx.status = status;
      ctx.set(headers);
      ctx.body = body;
    }
  }) as LpAuthMiddleware;
  Object.defineProperty(middleware, 'lp', { value: lp, enumerable: true });
  Object.defineProperty(middleware, 'close', { value: () => lp.close() });
  return middleware;
}
