import { ConsumerTokenError } from '../errors/index.js';
import type { ConsumerClaims, ConsumerIdentity } from './identity.js';

/**
 * A rule a verified consumer must meet on a route: returns normally, or throws a
 * {@link ConsumerTokenError} `claim_check_failed` (403 `insufficient_scope`: the token is valid,
 * it just does not grant this). Adapters wrap these as route middleware.
 */
export type ConsumerPredicate = (identity: ConsumerIdentity) => void;

type ClaimValue = string | number | boolean | null;

const denied = (identity: ConsumerIdentity, message: string) =>
  new ConsumerTokenError('claim_check_failed', message, { issuer: identity.issuer });

/**
 * The claim must equal `expected` (strictly).
 *
 * @example
 * ```ts
 * claimEquals('email_verified', true)(consumer);
 * ```
 */
export function claimEquals(claim: string, expected: ClaimValue): ConsumerPredicate {
  if (typeof claim !== 'string' || claim === '')
    throw new TypeError('claimEquals: claim must be a non-empty string.');
  return (identity) => {
    if (identity.claims[claim] !== expected) {
      throw denied(identity, `The token's "${claim}" claim does not have the required value.`);
    }
  };
}

/**
 * The claim must contain every value in `expected`: an array claim, or a space-separated string
 * claim such as `scope`.
 *
 * @example
 * ```ts
 * claimIncludes('groups', 'vip')(consumer);
 * ```
 */
export function claimIncludes(claim: string, ...expected: ClaimValue[]): ConsumerPredicate {
  if (typeof claim !== 'string' || claim === '')
    throw new TypeError('claimIncludes: claim must be a non-empty string.');
  if (expected.length === 0) throw new TypeError('claimIncludes: give at least one expected value.');
  return (identity) => {
    const value = identity.claims[claim];
    const values: unknown[] = Array.isArray(value)
      ? value
      : typeof value === 'string'
        ? value.split(' ')
        : [];
    if (!expected.every((one) => values.includes(one))) {
      throw denied(identity, `The token's "${claim}" claim does not include every required value.`);
    }
  };
}

/**
 * Any rule over the claims: `test` returns true to let the consumer through.
 *
 * @example
 * ```ts
 * claimCheck((claims, consumer) => findSde(consumer.sdes, 'ctmrinfo')?.info.ctype === 'vip')(consumer);
 * ```
 */
export function claimCheck(
  test: (claims: Readonly<ConsumerClaims>, identity: ConsumerIdentity) => boolean,
  description = "the route's consumer check",
): ConsumerPredicate {
  if (typeof test !== 'function')
    throw new TypeError('claimCheck: expected a function (claims, identity) => boolean.');
  return (identity) => {
    if (test(identity.claims, identity) !== true)
      throw denied(identity, `The consumer does not pass ${description}.`);
  };
}
