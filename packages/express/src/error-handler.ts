import type { ErrorRequestHandler } from 'express';
import { isLpAuthError } from '@lp-auth/core';
import {
  httpErrorResponse,
  resolveHttpErrorResponseOptions,
  type HttpErrorResponseOptions,
} from '@lp-auth/core/adapter';

export type { HttpErrorResponseOptions };

/**
 * Turns `@lp-auth` errors into JSON responses with the status, headers and body the core assigns
 * (`WWW-Authenticate` for consumer tokens, 502 for LivePerson failures, …). Other errors pass on
 * to the next error handler untouched. Register it after your routes.
 *
 * `options.expose: false` keeps 5xx bodies to `{ error: code, message }` with a generic message
 * (no LivePerson URL, no account id); `options.format(error, response)` builds your own body.
 *
 * @example
 * ```ts
 * app.use(lpErrorHandler({ expose: process.env.NODE_ENV !== 'production' }));
 * app.use(lpErrorHandler({ format: (error, { body }) => ({ ok: false, error: body }) }));
 * ```
 */
export function lpErrorHandler(options?: HttpErrorResponseOptions): ErrorRequestHandler {
  const resolved = resolveHttpErrorResponseOptions(options, 'lpErrorHandler');
  return (error, _req, res, next) => {
    if (!isLpAuthError(error) || res.headersSent) return next(error);
    const { status, headers, body } = httpErrorResponse(error, resolved);
    res.status(status).set(headers).json(body);
  };
}
