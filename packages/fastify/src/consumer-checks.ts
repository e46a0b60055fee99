import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { consumerClaimChecks } from '@lp-auth/core/adapter';
import { refuse } from './error-reply.js';

/**
 * The claim checks as `preHandler`s (`consumerClaimEquals`, `consumerClaimIncludes`,
 * `consumerCheck`, `consumerPredicate`): put them after `requireConsumer()`. A failed rule is
 * answered 403 `insufficient_scope` (code `claim_check_failed`), or 401 `token_missing` when no
 * consumer was admitted first.
 *
 * @example
 * ```ts
 * app.get('/vip', { preHandler: [requireConsumer(), consumerClaimEquals('email_verified', true)] }, handler);
 * ```
 */
export const { consumerClaimEquals, consumerClaimIncludes, consumerCheck, consumerPredicate } =
  consumerClaimChecks<preHandlerAsyncHookHandler>(
    (check) => async (request: FastifyRequest, reply: FastifyReply) => {
      try {
        check(request.lp);
      } catch (error) {
        return refuse(error, request, reply);
      }
    },
  );
