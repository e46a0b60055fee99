import { STATUS_CODES } from 'node:http';
import { ConfigError, isLpAuthError, type HttpErrorResponse } from '../errors/index.js';

export type { HttpErrorResponse };

/**
 * How errors are answered; every adapter's error handling takes these (`lpErrorHandler(options)`
 * in Express, `errorResponse` in the Koa, Fastify and Nest options).
 */
export interface HttpErrorResponseOptions {
  /**
   * `false` for production: a 5xx body is only `{ error: code, message }` with a generic message
   * (the status's reason phrase), without the details a library message carries (LivePerson URLs,
   * the account id, the option that is wrong). 4xx bodies are unchanged: consumer refusals are
   * already generic unless the verifier's `errorDetail` is on. Default true.
   */
  expose?: boolean;
  /**
   * Builds the body from the error and the response that would be sent (after `expose`): for teams
   * with their own error envelope. Status and headers (`WWW-Authenticate`) stay as they are.
   */
  format?: (error: unknown, response: HttpErrorResponse) => Record<string, unknown>;
}

/**
 * How any error becomes an HTTP response, the same in every adapter. Library errors keep their
 * `httpStatus`, `code` and message; anything else is a 500 with a generic body, so that an unknown
 * error never leaks internals. Errors that carry their own response (consumer token errors with
 * `WWW-Authenticate`) provide `toHttpResponse()`.
 *
 * @example
 * ```ts
 * const { status, headers, body } = httpErrorResponse(error, {
 *   expose: process.env.NODE_ENV !== 'production',
 *   format: (e, response) => ({ ok: false, problem: response.body }),
 * });
 * ```
 */
export function httpErrorResponse(error: unknown, options: HttpErrorResponseOptions = {}): HttpErrorResponse {
  const response = defaultResponse(error);
  if (options.expose === false && response.status >= 500) {
    const code = typeof response.body.error === 'string' ? response.body.error : 'internal_error';
    response.body = { error: code, message: STATUS_CODES[response.status] ?? 'Server Error' };
  }
  if (options.format) response.body = options.format(error, response);
  return response;
}

/**
 * Validates error-response options at start-up (a bad field throws `ConfigError` naming `field`),
 * so that a typo fails the app's start, not its first error.
 */
export function resolveHttpErrorResponseOptions(
  options: HttpErrorResponseOptions | undefined,
  field = 'errorResponse',
): HttpErrorResponseOptions {
  if (options === undefined) return {};
  if (!options || typeof options !== 'object') throw new ConfigError(field, 'expected { expose?, format? }.');
  if (options.expose !== undefined && typeof options.expose !== 'boolean') {
    throw new ConfigError(`${field}.expose`, 'must be a boolean.');
  }
  if (options.format !== undefined && typeof options.format !== 'function') {
    throw new ConfigError(`${field}.format`, 'must be a function (error, response) => body.');
  }
  return { ...options };
}

function defaultResponse(error: unknown): HttpErrorResponse {
  if (isLpAuthError(error)) {
    const own = (error as { toHttpResponse?: () => HttpErrorResponse }).toHttpResponse;
    if (typeof own === 'function') return own.call(error);
    return { status: error.httpStatus, headers: {}, body: error.toJSON() };
  }
  return { status: 500, headers: {}, body: { error: 'internal_error', message: 'Internal Server Error' } };
}
