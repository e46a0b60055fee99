import type { Context } from 'koa';
import { httpErrorResponse, isLpAuthError, type HttpErrorResponseOptions } from '@lp-auth/core';

// The requests that run inside an `lpAuth()` middleware, which answers @lp-auth errors thrown below
// it. A guard checks this to decide between throwing (so that the user's own middleware between
// `lpAuth()` and the guard sees the error) and answering itself (nobody else would).
const insideLpAuth = new WeakSet<Context>();

/** Marks `ctx` as served by an `lpAuth()` middleware that answers @lp-auth errors thrown below it. */
export function markInsideLpAuth(ctx: Context): void {
  insideLpAuth.add(ctx);
}

/**
 * Answers an `LpAuthError` the way every adapter does (`httpErrorResponse`: the error's status, its
 * headers such as RFC 6750's `WWW-Authenticate`, a JSON body without secrets). Returns false, having
 * done nothing, for any other error or once the headers are sent.
 */
export function answerLpAuthError(
  ctx: Context,
  error: unknown,
  options: HttpErrorResponseOptions = {},
): boolean {
  if (!isLpAuthError(error) || ctx.headerSent) return false;
  const { status, headers, body } = httpErrorResponse(error, options);
  ctx.status = status;
  ctx.set(headers);
  ctx.body = body;
  return true;
}

/**
 * What a guard does with its own refusal: inside `lpAuth()` it rethrows (that middleware answers);
 * used alone it answers with the same mapping, so that RFC 6750 holds without `lpAuth()` too.
 */
export function refuse(ctx: Context, error: unknown): void {
  if (insideLpAuth.has(ctx) || !answerLpAuthError(ctx, error)) throw error;
}
