import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  adapterLpAuth,
  lpRequestContext,
  type LpAuth,
  type LpAuthOptions,
  type LpRequestContext,
} from '@lp-auth/core';

export type { LpRequestContext };

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by `lpAuth()`. */
      lp: LpRequestContext;
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
 */
export function lpAuth(options?: LpAuthOptions | LpAuth): LpAuthMiddleware {
  const { lp } = adapterLpAuth(options);
  const context = lpRequestContext(lp);
  const middleware = ((req: Request, _res: Response, next: NextFunction) => {
    req.lp = context;
    next();
  }) as LpAuthMiddleware;
  Object.defineProperty(middleware, 'lp', { value: lp, enumerable: true });
  Object.defineProperty(middleware, 'close', { value: () => lp.close() });
  return middleware;
}
