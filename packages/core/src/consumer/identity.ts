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
  return new VerifiedConsumer(Object.freeze(payload) as ConsumerClaims, token, undefined);
}

/**
 * Where the identities of one cached token keep `lp_sdes` once one of them has parsed it (the
 * verified-token cache's entry): each hit gets a new identity, the parsing is done once.
 */
export interface SdesMemo {
  sdes?: readonly EngagementAttribute[] | undefined;
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
  memo: SdesMemo | undefined,
  token: string,
): ConsumerIdentity {
  return new VerifiedConsumer(claims, token, memo);
}

/** `lp_sdes` as `identity` has parsed it, or undefined when nobody has read `sdes` yet. */
export function parsedSdes(identity: ConsumerIdentity): readonly EngagementAttribute[] | undefined {
  return identity instanceof VerifiedConsumer ? VerifiedConsumer.parsedSdes(identity) : identity.sdes;
}

/**
 * A verified consumer. `sdes` is parsed when first read (most routes never read it) and kept; the
 * token is readable but, like `sdes`, an accessor of the class, not an own property: logging the
 * identity (console.log, JSON.stringify, a request logger) does not write the credential out.
 * `toJSON` and `util.inspect` show `sub`, `issuer`, `claims`, `sdes` and `expiresAt`, as a plain
 * object would. Frozen, like the claims.
 */
class VerifiedConsumer implements ConsumerIdentity {
  readonly sub: string;
  readonly issuer: string;
  readonly claims: Readonly<ConsumerClaims>;
  readonly expiresAt: number;
  readonly #token: string;
  readonly #memo: SdesMemo | undefined;
  #sdes: readonly EngagementAttribute[] | undefined;

  constructor(claims: Readonly<ConsumerClaims>, token: string, memo: SdesMemo | undefined) {
    this.sub = claims.sub;
    this.issuer = claims.iss;
    this.claims = claims;
    this.expiresAt = claims.exp * 1000;
    this.#token = token;
    this.#memo = memo;
    this.#sdes = memo?.sdes;
    // Private fields are not properties: freezing leaves `#sdes` writable for the first read.
    Object.freeze(this);
  }

  get token(): string {
    return this.#token;
  }

  get sdes(): readonly EngagementAttribute[] {
    let sdes = this.#sdes;
    if (sdes === undefined) {
      sdes = this.#memo?.sdes ?? sdesOf(this.claims.lp_sdes);
      this.#sdes = sdes;
      if (this.#memo) this.#memo.sdes = sdes;
    }
    return sdes;
  }

  static parsedSdes(identity: VerifiedConsumer): readonly EngagementAttribute[] | undefined {
    return identity.#sdes;
  }

  /** What a plain identity object would serialize to (without the token). */
  toJSON(): Omit<ConsumerIdentity, 'token'> {
    const { sub, issuer, claims, sdes, expiresAt } = this;
    return { sub, issuer, claims, sdes, expiresAt };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): Omit<ConsumerIdentity, 'token'> {
    return this.toJSON();
  }
}
