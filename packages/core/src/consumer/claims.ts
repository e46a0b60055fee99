import { ConsumerTokenError } from '../errors/index.js';

/** What the claims of a token are checked against. */
export interface ClaimRules {
  /** Accepted `aud` values; the token's `aud` must contain one. Unset: `aud` is not checked. */
  audience?: readonly string[];
  /**
   * Accepted `azp` values. Unset: an `azp`, when the token has one, must be one of `audience`
   * (OIDC Core §3.1.3.7: it names the client the token was issued to, which is us).
   */
  authorizedParty?: readonly string[];
  /** Leeway for `exp`, `nbf`, `iat` and `auth_time`, in milliseconds. */
  clockToleranceMs: number;
  /** Claims that must be present besides `iss`, `sub`, `iat` and `exp`. */
  requiredClaims: readonly string[];
  /** The `nonce` the token must carry (the one the login request sent). */
  nonce?: string;
  /** Longest time since the consumer authenticated (`auth_time`), in milliseconds. */
  maxAgeMs?: number;
  /** Longest time since the token was issued (`iat`), in milliseconds. */
  maxTokenAgeMs?: number;
}

// 10^11 seconds is the year 5138, while 10^11 milliseconds was 1973: a time claim above it is a
// millisecond value from an IdP that forgot that JWT times are seconds (RFC 7519 §2 NumericDate).
const MILLISECOND_THRESHOLD = 1e11;
const TIME_CLAIMS = ['exp', 'iat', 'nbf', 'auth_time'] as const;

/**
 * Checks the registered claims of a token whose signature is already verified, throwing the
 * {@link ConsumerTokenError} of the first rule it breaks. `iss` was matched when the key was chosen.
 */
export function checkClaims(payload: Record<string, unknown>, rules: ClaimRules, nowMs: number): void {
  const issuer = typeof payload.iss === 'string' ? payload.iss : undefined;
  const fail = (code: ConstructorParameters<typeof ConsumerTokenError>[0], message: string): never => {
    throw new ConsumerTokenError(code, message, issuer === undefined ? {} : { issuer });
  };
  for (const name of ['sub', 'iat', 'exp', ...rules.requiredClaims]) {
    if (payload[name] === undefined || payload[name] === null) {
      fail('claim_missing', `The token has no "${name}" claim, which is required.`);
    }
  }
  if (typeof payload.sub !== 'string' || payload.sub === '') {
    fail('claim_invalid', 'The "sub" claim must be a non-empty string (the consumer id).');
  }
  for (const name of TIME_CLAIMS) {
    const value = payload[name];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      fail('claim_invalid', `The "${name}" claim must be a number of seconds since the epoch.`);
    }
    if ((value as number) > MILLISECOND_THRESHOLD) {
      fail(
        'time_in_milliseconds',
        `The "${name}" claim (${String(value)}) looks like milliseconds since the epoch; JWT times are seconds (RFC 7519). Fix the identity provider to send seconds.`,
      );
    }
  }
  const tolerance = rules.clockToleranceMs;
  const exp = (payload.exp as number) * 1000;
  if (exp <= nowMs - tolerance) {
    fail('token_expired', `The token expired at ${new Date(exp).toISOString()}.`);
  }
  if (typeof payload.nbf === 'number' && payload.nbf * 1000 > nowMs + tolerance) {
    fail(
      'token_not_yet_valid',
      `The token is not valid before ${new Date(payload.nbf * 1000).toISOString()}.`,
    );
  }
  if ((payload.iat as number) * 1000 > nowMs + tolerance) {
    fail('token_not_yet_valid', 'The token was issued in the future ("iat"); check the clocks.');
  }
  if (rules.maxTokenAgeMs !== undefined && tokenAgeEndsAt(payload, rules.maxTokenAgeMs) < nowMs - tolerance) {
    fail('token_too_old', 'The token was issued longer ago than the maximum token age allows ("iat").');
  }
  if (rules.audience) {
    checkAudience(payload.aud, rules.audience, fail);
    // OIDC Core §3.1.3.7 (4): a token for several audiences names the party it was issued to, so
    // that one audience cannot replay it to another as if it were its own.
    if (Array.isArray(payload.aud) && payload.aud.length > 1 && typeof payload.azp !== 'string') {
      fail('claim_missing', 'The token has several "aud" values and no "azp" claim, which they require.');
    }
  }
  if (rules.authorizedParty) {
    if (typeof payload.azp !== 'string')
      fail('claim_missing', 'The token has no "azp" claim, which is required.');
    if (!rules.authorizedParty.includes(payload.azp as string)) {
      fail('authorized_party_mismatch', 'The token\'s "azp" is not an accepted authorized party.');
    }
  } else if (rules.audience && payload.azp !== undefined) {
    // OIDC Core §3.1.3.7 (5): a token issued to another client (its azp) is that client's, even
    // when our client id is among its audiences.
    if (typeof payload.azp !== 'string') fail('claim_invalid', 'The "azp" claim must be a string.');
    if (!rules.audience.includes(payload.azp as string)) {
      fail('authorized_party_mismatch', 'The token\'s "azp" is not one of the accepted audiences.');
    }
  }
  if (rules.nonce !== undefined && payload.nonce !== rules.nonce) {
    fail('nonce_mismatch', 'The token\'s "nonce" is not the one this login sent.');
  }
  if (rules.maxAgeMs !== undefined) {
    if (typeof payload.auth_time !== 'number') {
      fail(
        'claim_missing',
        'The token has no "auth_time" claim, which a maximum authentication age requires.',
      );
    }
    if ((payload.auth_time as number) * 1000 + rules.maxAgeMs < nowMs - tolerance) {
      fail('max_age_exceeded', 'The consumer authenticated longer ago than the maximum age allows.');
    }
  }
}

/** When a token stops passing `maxTokenAge`, in epoch milliseconds (before clock tolerance). */
export function tokenAgeEndsAt(payload: Record<string, unknown>, maxTokenAgeMs: number): number {
  return (payload.iat as number) * 1000 + maxTokenAgeMs;
}

function checkAudience(
  aud: unknown,
  accepted: readonly string[],
  fail: (code: 'claim_missing' | 'audience_mismatch', message: string) => never,
): void {
  if (aud === undefined) fail('claim_missing', 'The token has no "aud" claim, which is required.');
  const values = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (!values.some((value) => typeof value === 'string' && accepted.includes(value))) {
    fail('audience_mismatch', 'The token\'s "aud" does not include an accepted audience.');
  }
}
