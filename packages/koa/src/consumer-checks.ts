import type { Middleware } from 'koa';
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
import { refuse } from './error-response.js';

/**
 * The route goes on only if the consumer's `claim` equals `value`; otherwise 403
 * `insufficient_scope` (code `claim_check_failed`). Put it after `requireConsumer()`.
 *
 * @example
 * ```ts
 * router.get('/vip', requireConsumer(), consumerClaimEquals('email_verified', true), handler);
 * ```
 */
export function consumerClaimEquals(claim: string, value: string | number | boolean | null): Middleware {
  return consumerPredicate(claimEquals(claim, value));
}

/**
 * The route goes on only if the consumer's `claim` (an array, or a space-separated string such
 * as `scope`) contains every one of `values`.
 *
 * @example
 * ```ts
 * router.post('/returns', requireConsumer(), consumerClaimIncludes('groups', 'customers', 'verified'), handler);
 * ```
 */
export function consumerClaimIncludes(
  claim: string,
  ...values: (string | number | boolean | null)[]
): Middleware {
  return consumerPredicate(claimIncludes(claim, ...values));
}

/**
 * The route goes on only if `test` returns true for the consumer.
 *
 * @example
 * ```ts
 * router.get('/offers', requireConsumer(), consumerCheck((_claims, c) => findSde(c.sdes, 'ctmrinfo')?.info.ctype === 'vip'), handler);
 * ```
 */
export function consumerCheck(
  test: (claims: Readonly<ConsumerClaims>, consumer: ConsumerIdentity) => boolean,
  description?: string,
): Middleware {
  return consumerPredicate(claimCheck(test, description));
}

/**
 * Any core {@link ConsumerPredicate} as Koa middleware. Without a consumer admitted first it
 * refuses with 401 `token_missing`, never 403.
 *
 * @example
 * ```ts
 * router.get('/eu', requireConsumer(), consumerPredicate(claimIncludes('groups', 'eu')), handler);
 * ```
 */
export function consumerPredicate(predicate: ConsumerPredicate): Middleware {
  return async (ctx, next) => {
    try {
      assertConsumer((ctx.state.lp as LpRequestContext | undefined)?.consumer, verifierOf(ctx), predicate);
    } catch (error) {
      refuse(ctx, error);
      return;
    }
    await next();
  };
}
