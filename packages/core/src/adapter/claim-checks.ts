import { claimCheck, claimEquals, claimIncludes, type ConsumerPredicate } from '../consumer/predicates.js';
import type { ConsumerClaims, ConsumerIdentity } from '../consumer/identity.js';
import type { LpRequestContext } from './context.js';
import { assertConsumer } from './guard.js';

/**
 * The check an adapter turns into its framework's handler: given the request's context, returns
 * normally, or throws the refusal (401 `token_missing` when no guard admitted a consumer, 403
 * `claim_check_failed` when the rule fails) for the adapter's error path.
 */
export type ConsumerCheckRunner = (context: LpRequestContext | null | undefined) => void;

type ClaimValue = string | number | boolean | null;

/** The claim-check middleware of one framework (`H`: its handler type), from {@link consumerClaimChecks}. */
export interface ConsumerClaimChecks<H> {
  /**
   * The route goes on only if the consumer's `claim` equals `value`; otherwise 403
   * `insufficient_scope` (code `claim_check_failed`). Put it after `requireConsumer()`.
   *
   * @example
   * ```ts
   * consumerClaimEquals('email_verified', true);
   * ```
   */
  consumerClaimEquals(claim: string, value: ClaimValue): H;
  /**
   * The route goes on only if the consumer's `claim` (an array, or a space-separated string such as
   * `scope`) contains every one of `values`.
   *
   * @example
   * ```ts
   * consumerClaimIncludes('groups', 'customers', 'verified');
   * ```
   */
  consumerClaimIncludes(claim: string, ...values: ClaimValue[]): H;
  /**
   * The route goes on only if `test` returns true for the consumer.
   *
   * @example
   * ```ts
   * consumerCheck((_claims, c) => findSde(c.sdes, 'ctmrinfo')?.info.ctype === 'vip', 'VIP customers');
   * ```
   */
  consumerCheck(
    test: (claims: Readonly<ConsumerClaims>, consumer: ConsumerIdentity) => boolean,
    description?: string,
  ): H;
  /**
   * Any core {@link ConsumerPredicate} as a handler. Without a consumer admitted first it refuses
   * with 401 `token_missing`, never 403 and never a pass.
   *
   * @example
   * ```ts
   * consumerPredicate(claimIncludes('groups', 'eu'));
   * ```
   */
  consumerPredicate(predicate: ConsumerPredicate): H;
}

/**
 * The claim checks (`consumerClaimEquals`, `consumerClaimIncludes`, `consumerCheck`,
 * `consumerPredicate`) of a framework, written once: `toHandler` turns a check of the request's
 * context into the framework's middleware (and its error path). The check reads the consumer and
 * the admitting verifier (its realm, its `consumer.rejected` event) from the context a guard set.
 *
 * @example
 * ```ts
 * export const { consumerClaimEquals, consumerClaimIncludes, consumerCheck, consumerPredicate } =
 *   consumerClaimChecks<RequestHandler>((check) => (req, _res, next) => {
 *     try {
 *       check(req.lp);
 *     } catch (error) {
 *       return next(error);
 *     }
 *     next();
 *   });
 * ```
 */
export function consumerClaimChecks<H>(toHandler: (check: ConsumerCheckRunner) => H): ConsumerClaimChecks<H> {
  const consumerPredicate = (predicate: ConsumerPredicate): H =>
    toHandler((context) => assertConsumer(context?.consumer, context?.verifier, predicate));
  return {
    consumerClaimEquals: (claim, value) => consumerPredicate(claimEquals(claim, value)),
    consumerClaimIncludes: (claim, ...values) => consumerPredicate(claimIncludes(claim, ...values)),
    consumerCheck: (test, description) => consumerPredicate(claimCheck(test, description)),
    consumerPredicate,
  };
}
