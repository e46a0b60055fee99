import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import {
  assertConsumer,
  claimCheck,
  claimEquals,
  claimIncludes,
  type ConsumerClaims,
  type ConsumerIdentity,
  type ConsumerPredicate,
} from '@lp-auth/core';
import { verifierOf } from './consumer.js';
import { refuse } from './error-reply.js';

/**
 * A `preHandler`: the route goes on only if the consumer's `claim` equals `value`; otherwise 403
 * `insufficient_scope` (code `claim_check_failed`). Put it after `requireConsumer()`.
 *
 * @example
 * ```ts
 * app.get('/vip', { preHandler: [requireConsumer(), consumerClaimEquals('email_verified', true)] }, handler);
 * ```
 */
export function consumerClaimEquals(
  claim: string,
  value: string | number | boolean | null,
): preHandlerAsyncHookHandler {
  return consumerPredicate(claimEquals(claim, value));
}

/**
 * A `preHandler`: the route goes on only if the consumer's `claim` (an array, or a
 * space-separated string such as `scope`) contains every one of `values`.
 *
 * @example
 * ```ts
 * app.post('/returns', { preHandler: [requireConsumer(), consumerClaimIncludes('groups', 'customers')] }, handler);
 * ```
 */
export function consumerClaimIncludes(
  claim: string,
  ...values: (string | number | boolean | null)[]
): preHandlerAsyncHookHandler {
  return consumerPredicate(claimIncludes(claim, ...values));
}

/**
 * A `preHandler`: the route goes on only if `test` returns true for the consumer.
 *
 * @example
 * ```ts
 * const vip = consumerCheck((_claims, c) => findSde(c.sdes, 'ctmrinfo')?.info.ctype === 'vip', 'VIP customers');
 * app.get('/offers', { preHandler: [requireConsumer(), vip] }, handler);
 * ```
 */
export function consumerCheck(
  test: (claims: Readonly<ConsumerClaims>, consumer: ConsumerIdentity) => boolean,
  description?: string,
): preHandlerAsyncHookHandler {
  return consumerPredicate(claimCheck(test, description));
}

/**
 * Any core {@link ConsumerPredicate} as a `preHandler`. Without a consumer (no guard before it)
 * it refuses with 401 `token_missing`, never lets the request through.
 */
export function consumerPredicate(predicate: ConsumerPredicate): preHandlerAsyncHookHandler {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      assertConsumer(request.lp?.consumer, verifierOf(request), predicate);
    } catch (error) {
      return refuse(error, request, reply);
    }
  };
}
