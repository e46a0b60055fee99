import type { Middleware } from 'koa';
import { consumerClaimChecks, type LpRequestContext } from '@lp-auth/core/adapter';
import { refuse } from './error-response.js';

/**
 * The claim checks as Koa middleware (`consumerClaimEquals`, `consumerClaimIncludes`,
 * `consumerCheck`, `consumerPredicate`): put them after `requireConsumer()`. A failed rule is
 * refused like the guard's: 403 `insufficient_scope` (code `claim_check_failed`), or 401
 * `token_missing` when no consumer was admitted first.
 *
 * @example
 * ```ts
 * router.get('/vip', requireConsumer(), consumerClaimEquals('email_verified', true), handler);
 * router.get('/eu', requireConsumer(), consumerPredicate(claimIncludes('groups', 'eu')), handler);
 * ```
 */
export const { consumerClaimEquals, consumerClaimIncludes, consumerCheck, consumerPredicate } =
  consumerClaimChecks<Middleware>((check) => async (ctx, next) => {
    try {
      check(ctx.state.lp as LpRequestContext | undefined);
    } catch (error) {
      refuse(ctx, error);
      return;
    }
    await next();
  });
