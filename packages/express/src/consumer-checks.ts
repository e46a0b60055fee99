import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  assertConsumer,
  claimCheck,
  claimEquals,
  claimIncludes,
  type ConsumerClaims,
  type ConsumerIdentity,
  type ConsumerPredicate,
  type LpRequestContext,
} from '@lp-auth/core';
import { verifierOf } from './consumer.js';

/**
 * The route goes on only if the consumer's `claim` equals `value`; otherwise 403
 * `insufficient_scope` (code `claim_check_failed`). Put it after `requireConsumer()`.
 *
 * @example
 * ```ts
 * app.get('/vip', requireConsumer(), consumerClaimEquals('email_verified', true), handler);
 * ```
 */
export function consumerClaimEquals(claim: string, value: string | number | boolean | null): RequestHandler {
  return consumerPredicate(claimEquals(claim, value));
}

/**
 * The route goes on only if the consumer's `claim` (an array, or a space-separated string such
 * as `scope`) contains every one of `values`.
 *
 * @example
 * ```ts
 * app.post('/returns', requireConsumer(), consumerClaimIncludes('groups', 'customers', 'verified'), handler);
 * ```
 */
export function consumerClaimIncludes(
  claim: string,
  ...values: (string | number | boolean | null)[]
): RequestHandler {
  return consumerPredicate(claimIncludes(claim, ...values));
}

/**
 * The route goes on only if `test` returns true for the consumer.
 *
 * @example
 * ```ts
 * app.get('/offers', requireConsumer(), consumerCheck((_claims, c) => findSde(c.sdes, 'ctmrinfo')?.info.ctype === 'vip'), handler);
 * ```
 */
export function consumerCheck(
  test: (claims: Readonly<ConsumerClaims>, consumer: ConsumerIdentity) => boolean,
  description?: string,
): RequestHandler {
  return consumerPredicate(claimCheck(test, description));
}

/** Any core {@link ConsumerPredicate} as Express middleware. */
export function consumerPredicate(predicate: ConsumerPredicate): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    try {
      assertConsumer((req.lp as LpRequestContext | undefined)?.consumer, verifierOf(req), predicate);
    } catch (error) {
      next(error);
      return;
    }
    next();
  };
}
