import {
  createLocalJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
} from 'jose';
import { redactUrl } from '../support/redact.js';
import { TokenRequestError } from '../errors/index.js';
import { readErrorBody, sendOnce } from '../http/send.js';
import { AppAuthorizationError } from '../errors/index.js';
import type { CredentialRuntime } from './credential.js';

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

/** A JWKS is fetched again for an unknown `kid` at most this often (jose and openid-client use 30 s). */
const JWKS_COOLDOWN_MS = 30_000;
/** Clock skew allowed on `exp` and `iat` (the id_token lives only 600 s). */
const CLOCK_TOLERANCE_S = 60;

/**
 * Verifies Sentinel's id_tokens against its JWKS (`{sentinel}/sentinel/well-known/jwks`): RS256 only,
 * `aud` = the client id, `iss` = `Sentinel` (compared case-insensitively, wire page §4), unexpired.
 * The key set is fetched through the library's fetch (so proxies and the emulator apply), kept, and
 * fetched again when a token names a `kid` it lacks, no more than once per cooldown.
 */
export class SentinelIdTokenVerifier {
  readonly #runtime: CredentialRuntime;
  readonly #clientId: string;
  #keys: ReturnType<typeof createLocalJWKSet> | undefined;
  #fetchedAt = 0;
  #loading: Promise<void> | undefined;

  constructor(runtime: CredentialRuntime, clientId: string) {
    this.#runtime = runtime;
    this.#clientId = clientId;
  }

  /** The user the id_token names. @throws AppAuthorizationError `id_token_invalid` */
  async verify(idToken: string): Promise<LpUser> {
    if (!this.#keys) await this.#load();
    let payload: JWTPayload;
    try {
      payload = await this.#check(idToken);
    } catch (error) {
      const unknownKid = error instanceof joseErrors.JWKSNoMatchingKey;
      if (!unknownKid || this.#runtime.now() - this.#fetchedAt < JWKS_COOLDOWN_MS) throw invalid(error);
      await this.#load();
      try {
        payload = await this.#check(idToken);
      } catch (again) {
        throw invalid(again);
      }
    }
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

  #check(idToken: string): Promise<JWTPayload> {
    return jwtVerify(idToken, this.#keys!, {
      algorithms: ['RS256'],
      audience: this.#clientId,
      requiredClaims: ['exp', 'iat', 'sub'],
      clockTolerance: CLOCK_TOLERANCE_S,
      currentDate: new Date(this.#runtime.now()),
    }).then((result) => result.payload);
  }

  #load(): Promise<void> {
    this.#loading ??= this.#fetchKeys().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #fetchKeys(): Promise<void> {
    const base = await this.#runtime.domains.resolve('sentinel');
    const url = new URL(`${base}/sentinel/well-known/jwks`);
    const response = await sendOnce(this.#runtime.fetch, url, { method: 'GET' }, this.#runtime.timeoutMs);
    const body = response.ok ? await response.json().catch(() => undefined) : await readErrorBody(response);
    const keys = (body as { keys?: unknown } | undefined)?.keys;
    if (!response.ok || !Array.isArray(keys)) {
      throw new TokenRequestError('appAuthorization', `Sentinel's JWKS answered ${response.status}`, {
        status: response.status,
        method: 'GET',
        url: redactUrl(url),
        retryable: true,
      });
    }
    this.#keys = createLocalJWKSet(body as JSONWebKeySet);
    this.#fetchedAt = this.#runtime.now();
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
