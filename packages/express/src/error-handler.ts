import type { ErrorRequestHandler } from 'express';
import { httpErrorResponse, LpAuthError } from '@lp-auth/core';

/**
 * Turns `@lp-auth` errors into JSON responses with the status, headers and body the core assigns
 * (`WWW-Authenticate` for consumer tokens, 502 for LivePerson failures, …). Other errors pass on
 * to the next error handler untouched. Register it after your routes.
 */
export function lpErrorHandler(): ErrorRequestHandler {
  return (error, _req, res, next) => {
    if (!(error instanceof LpAuthError) || res.headersSent) return next(error);
    const { status, headers, body } = httpErrorResponse(error);
    res.status(status).set(headers).json(body);
  };
}
