import type { Context } from 'koa';
import { isLpAuthError } from '@lp-auth/core';
import {
  httpErrorResponse,
  type HttpErrorResponseOptions,
  type LpRequestContext,
} from '@lp-auth/core/adapter';

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
 * What a guard does with its own refusal: inside `lpAuth()` it rethrows (that middleware answers,
 * and the user's own middleware between the two sees the error); used alone it answers with the
 * same mapping, so that RFC 6750 holds without `lpAuth()` too. Inside `lpAuth()` is where
 * `ctx.state.lp` has the core (`auth`): only `lpAuth()` sets that, before it awaits what follows.
 */
export function refuse(ctx: Context, error: unknown): void {
  const insideLpAuth = (ctx.state.lp as LpRequestContext | undefined)?.auth !== undefined;
  if (insideLpAuth || !answerLpAuthError(ctx, error)) throw error;
}
