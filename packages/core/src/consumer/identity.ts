import { parseLpSdes, type EngagementAttribute } from './sdes.js';

/**
 * The claims of a consumer id_token: the standard ones typed, any other kept as sent (`unknown`).
 * Type your identity provider's own claims once, by declaration merging, and every adapter's
 * `consumer.claims` (and the claim checks) see them:
 *
 * @example
 * ```ts
 * // types/lp-auth.d.ts (any file your tsconfig includes)
 * declare module '@lp-auth/core' {
 *   interface ConsumerClaims {
 *     tier: 'basic' | 'vip';
 *     loyalty_points?: number;
 *   }
 * }
 * // req.lp.consumer!.claims.tier is now 'basic' | 'vip'
 * ```
 *
 * The verifier does not check these types (declare a claim optional unless `requiredClaims` lists
 * it); check values you rely on with `claimCheck` or your own code.
 */
export interface ConsumerClaims {
  iss: string;
  /** The consumer id (LivePerson's customerID). */
  sub: string;
  iat: number;
  exp: number;
  aud?: string | string[];
  azp?: string;
  nbf?: number;
  nonce?: string;
  auth_time?: number;
  given_name?: string;
  family_name?: string;
  name?: string;
  email?: string;
  email_verified?: boolean;
  gender?: string;
  preferred_username?: string;
  phone_number?: string;
  /** The raw engagement attributes; {@link ConsumerIdentity.sdes} has them parsed. */
  lp_sdes?: unknown;
  [claim: string]: unknown;
}

/**
 * A verified consumer: who the brand's identity provider says it is.
 *
 * @example
 * ```ts
 * app.get('/orders', requireConsumer(), (req, res) => {
 *   const consumer = req.lp.consumer!;
 *   res.json(orders.for(consumer.sub, findSde(consumer.sdes, 'ctmrinfo')?.info.customerId));
 * });
 * ```
 */
export interface ConsumerIdentity {
  /** The consumer id (`sub`). */
  readonly sub: string;
  /** The issuer that vouched for it (`iss`), exactly as configured. */
  readonly issuer: string;
  /** Every claim of the token. */
  readonly claims: Readonly<ConsumerClaims>;
  /** `lp_sdes` parsed: LivePerson's engagement attributes (see `findSde`), unknown types as sent. */
  readonly sdes: readonly EngagementAttribute[];
  /** When the token expires, in epoch milliseconds. */
  readonly expiresAt: number;
  /** The token as presented (the JWE itself when it was encrypted). Not enumerable: logs skip it. */
  readonly token: string;
}

/**
 * Builds the frozen identity of a token whose checks have all passed. `payload` is the verifier's
 * own decoded object, frozen in place and kept as the claims: a frozen spread copy (`{ ...payload }`)
 * falls into V8's dictionary mode, ~290 bytes more per cached identity than the parsed object.
 */
export function consumerIdentity(payload: Record<string, unknown>, token: string): ConsumerIdentity {
  const claims = Object.freeze(payload) as ConsumerClaims;
  return identityWithToken(claims, sdesOf(claims.lp_sdes), token);
}

/**
 * `lp_sdes` parsed, frozen. When the claim is an array of which every entry is kept (the usual
 * case), the claim's own array: a copy would be held by every cached identity for nothing.
 */
function sdesOf(claim: unknown): readonly EngagementAttribute[] {
  const parsed = parseLpSdes(claim);
  if (Array.isArray(claim) && parsed.length === claim.length)
    return Object.freeze(claim) as EngagementAttribute[];
  return Object.freeze(parsed);
}

/**
 * The frozen identity of `token` around claims verified before: a cache hit gets a new one, with
 * the caller's own token string, so that no cache entry keeps a token (a few dozen bytes of young
 * garbage per hit instead of ~1 KB held per entry).
 */
export function identityWithToken(
  claims: Readonly<ConsumerClaims>,
  sdes: readonly EngagementAttribute[],
  token: string,
): ConsumerIdentity {
  const identity = { sub: claims.sub, issuer: claims.iss, claims, sdes, expiresAt: claims.exp * 1000 };
  // The token is a bearer credential: readable, but not enumerable, so that logging the identity
  // (console.log, JSON.stringify, a request logger) does not write it out.
  Object.defineProperty(identity, 'token', { value: token, enumerable: false });
  return Object.freeze(identity) as ConsumerIdentity;
}
