import { LpAuthError } from '../errors.js';

/** An error as an adapter sends it: status, headers and a JSON body without secrets. */
export interface HttpErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/**
 * How any error becomes an HTTP response, the same in every adapter. Library errors keep their
 * `httpStatus`, `code` and message; anything else is a 500 with a generic body, so that an unknown
 * error never leaks internals. Errors that carry their own response (consumer token errors with
 * `WWW-Authenticate`) provide `toHttpResponse()`.
 */
export function httpErrorResponse(error: unknown): HttpErrorResponse {
  if (error instanceof LpAuthError) {
    const own = (error as { toHttpResponse?: () => HttpErrorResponse }).toHttpResponse;
    if (typeof own === 'function') return own.call(error);
    return { status: error.httpStatus, headers: {}, body: error.toJSON() };
  }
  return { status: 500, headers: {}, body: { error: 'internal_error', message: 'Internal Server Error' } };
}
