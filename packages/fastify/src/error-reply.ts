import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isLpAuthError, type LpAuthError } from '@lp-auth/core';
import { httpErrorResponse, type HttpErrorResponseOptions } from '@lp-auth/core/adapter';

/**
 * Sends an `@lp-auth` error as its status, headers (`WWW-Authenticate` for consumer tokens) and
 * JSON body `{ error: code, message }` (`options`: `expose`, `format`, as the plugin's
 * `errorResponse`). The plugin's error handler does this for you; call it from
 * your own error handler if you set one (or register the plugin with `errorHandler: false`).
 *
 * @example
 * ```ts
 * app.setErrorHandler((error, request, reply) => {
 *   if (isLpAuthError(error)) return sendLpError(error, reply);
 *   reply.code(500).send({ error: 'internal' });
 * });
 * ```
 */
export function sendLpError(
  error: LpAuthError,
  reply: FastifyReply,
  options: HttpErrorResponseOptions = {},
): FastifyReply {
  const { status, headers, body } = httpErrorResponse(error, options);
  return reply.code(status).headers(headers).send(body);
}

/**
 * Makes `app` answer `@lp-auth` errors with {@link sendLpError}, and hands every other error to the
 * handler that was there before, so the app keeps Fastify's (or its own earlier) handling.
 */
export function answerLpErrors(app: FastifyInstance, options: HttpErrorResponseOptions = {}): void {
  const previous = app.errorHandler;
  app.setErrorHandler(function (this: FastifyInstance, error: FastifyError, request, reply) {
    if (!isLpAuthError(error)) return previous.call(this, error, request, reply);
    // Fastify's own handler would log a failed request; ours keeps that, with the stable code only.
    if (error.httpStatus >= 500) request.log.error({ lpAuth: error.code }, error.message);
    return sendLpError(error, reply, options);
  });
}

/**
 * The error path of a guard or claim check: thrown to the error handler when the plugin is
 * registered for this route (its handler, or the app's, answers it); answered here otherwise,
 * since a guard used without the plugin (given its own verifier) has no handler that knows
 * `@lp-auth` errors and a refusal must never become Fastify's generic 500 without its challenge.
 */
export function refuse(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isLpAuthError(error) && !request.server.hasRequestDecorator('lp')) {
    return sendLpError(error, reply);
  }
  throw error;
}
