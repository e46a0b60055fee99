import type { RequestHandler } from 'express';
import { consumerClaimChecks, type LpRequestContext } from '@lp-auth/core/adapter';

/**
 * The claim checks as Express middleware (`consumerClaimEquals`, `consumerClaimIncludes`,
 * `consumerCheck`, `consumerPredicate`): put them after `requireConsumer()`. A failed rule goes to
 * `next(error)`: 403 `insufficient_scope` (code `claim_check_failed`), or 401 `token_missing` when
 * no consumer was admitted first.
 *
 * @example
 * ```ts
 * app.get('/vip', requireConsumer(), consumerClaimEquals('email_verified', true), handler);
 * app.post('/returns', requireConsumer(), consumerClaimIncludes('groups', 'customers', 'verified'), handler);
 * ```
 */
export const { consumerClaimEquals, consumerClaimIncludes, consumerCheck, consumerPredicate } =
  consumerClaimChecks<RequestHandler>((check) => (req, _res, next) => {
    try {
      check(req.lp as LpRequestContext | undefined);
    } catch (error) {
      next(error);
      return;
    }
    next();
  });
