import type { JWTPayload } from 'jose';
import { AppAuthorizationError, KeySetUnavailableError, TokenRequestError } from '../errors/index.js';
import { LpAuthEventBus } from '../support/events.js';
import { DEFAULT_JWKS_POLICY, RemoteKeySet } from '../consumer/remote-key-set.js';
import type { CredentialRuntime } from '../credentials/credential.js';

/** Who logged in, from Sentinel's verified id_token (wire page §5). No secret in it. */
export interface LpUser {
  /** The LivePerson user id (`sub`). */
  id: string;
  /** `is_admin`. */
  isAdmin: boolean;
  /** `is_lpa`: a LivePerson staff user. */
  isLpa: boolean;
  /** Every claim of the id_token, as sent. */
  claims: Record<string, unknown>;
}

/** Clock skew allowed on `exp` and `iat` (the id_token lives only 600 s). */
const CLOCK_TOLERANCE_S = 60;

/** The issuer Sentinel's id_tokens name (`iss`, compared case-insensitively) and its key set's name in events. */
const SENTINEL = 'Sentinel';

/**
 * Verifies Sentinel's id_tokens against its JWKS (`{sentinel}/sentinel/well-known/jwks`): RS256 only,
 * `aud` = the client id, `iss` = `Sentinel` (compared case-insensitively, wire page §4), unexpired.
 *
 * The keys come from a {@link RemoteKeySet}, the one a consumer IdP's keys come from: fetched
 * through the library's fetch (so proxies and the emulator apply), bounded in size, same-origin
 * redirects only, shared by concurrent logins, refreshed after 10 minutes (in the background from
 * 7.5), fetched again for an unknown `kid` no more than once per 30 s, and kept for an hour past
 * their age while Sentinel fails (a `jwks.stale` event, issuer `Sentinel`).
 */
export class SentinelIdTokenVerifier {
  readonly #runtime: CredentialRuntime;
  readonly #clientId: string;
  readonly #keys: RemoteKeySet;

  constructor(runtime: CredentialRuntime, clientId: string) {
    this.#runtime = runtime;
    this.#clientId = clientId;
    this.#keys = new RemoteKeySet(
      SENTINEL,
      async () => `${await runtime.domains.resolve('sentinel')}/sentinel/well-known/jwks`,
      { ...DEFAULT_JWKS_POLICY, timeoutMs: runtime.timeoutMs },
      {
        fetch: runtime.fetch,
        logger: runtime.logger,
        events: runtime.events ?? new LpAuthEventBus(runtime.logger),
        now: runtime.now,
      },
    );
  }

  /** The user the id_token names. @throws AppAuthorizationError `id_token_invalid` */
  async verify(idToken: string): Promise<LpUser> {
    const payload = await this.#check(idToken);
    if (typeof payload.iss !== 'string' || payload.iss.toLowerCase() !== 'sentinel') {
      throw new AppAuthorizationError('id_token_invalid', 'The id_token was not issued by Sentinel (iss).');
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') {
      throw new AppAuthorizationError('id_token_invalid', 'The id_token names no user (sub).');
    }
    checkAuthorizedParty(payload, this.#clientId);
    return {
      id: payload.sub,
      isAdmin: payload.is_admin === true,
      isLpa: payload.is_lpa === true,
      claims: { ...payload },
    };
  }

  /** Stops a key fetch in flight. */
  close(): void {
    this.#keys.close();
  }

  /** The payload, once a key of Sentinel's set verifies the signature and the standard claims hold. */
  async #check(idToken: string): Promise<JWTPayload> {
    // Loaded on the first login: an app that never logs a user in never loads it.
    const { decodeProtectedHeader, errors: joseErrors, jwtVerify } = await import('jose');
    let kid: string | undefined;
    try {
      const header = decodeProtectedHeader(idToken);
      kid = typeof header.kid === 'string' ? header.kid : undefined;
    } catch (error) {
      throw invalid(error);
    }
    const keys = (await this.#keysFor(kid)).filter((k) => k.algorithms.includes('RS256'));
    if (keys.length === 0) throw invalid(new joseErrors.JWKSNoMatchingKey());
    let failure: unknown;
    for (const { key } of keys) {
      try {
        const { payload } = await jwtVerify(idToken, key, {
          algorithms: ['RS256'],
          audience: this.#clientId,
          requiredClaims: ['exp', 'iat', 'sub'],
          clockTolerance: CLOCK_TOLERANCE_S,
          currentDate: new Date(this.#runtime.now()),
        });
        return payload;
      } catch (error) {
        failure = error;
        // Another key with this kid may have signed it; any other failure is the token's.
        if (!(error instanceof joseErrors.JWSSignatureVerificationFailed)) break;
      }
    }
    throw invalid(failure);
  }

  /** Sentinel's keys for `kid`; Sentinel unreachable and no usable keys left is a `TokenRequestError`. */
  async #keysFor(kid: string | undefined) {
    try {
      return await this.#keys.keysFor(kid);
    } catch (error) {
      if (!(error instanceof KeySetUnavailableError)) throw error;
      throw new TokenRequestError('appAuthorization', error.message, {
        method: 'GET',
        retryable: true,
        cause: error,
      });
    }
  }
}

/**
 * OIDC Core §3.1.3.7 (4, 5), which jose leaves to its caller: a token for several audiences must
 * name the client it was issued to (`azp`), and an `azp` must be our client id, or the token is
 * another application's, replayed to us.
 */
function checkAuthorizedParty(payload: JWTPayload, clientId: string): void {
  if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp === undefined) {
    throw new AppAuthorizationError(
      'id_token_invalid',
      'The id_token has several audiences and no authorized party (azp).',
    );
  }
  if (payload.azp !== undefined && payload.azp !== clientId) {
    throw new AppAuthorizationError(
      'id_token_invalid',
      'The id_token was issued to another client (azp is not this client id).',
    );
  }
}

function invalid(cause: unknown): AppAuthorizationError {
  // jose's messages name the failed check ("\"exp\" claim timestamp check failed"), never the token.
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new AppAuthorizationError('id_token_invalid', `Sentinel's id_token did not verify: ${reason}`, {
    cause,
  });
}
