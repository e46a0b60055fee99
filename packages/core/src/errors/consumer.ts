import { LpAuthError } from './lp-auth.js';
import type { HttpErrorResponse } from './http-response.js';

/**
 * Why a consumer request was refused. Each code maps to one RFC 6750 answer:
 *
 * | code | status | `error` |
 * |---|---|---|
 * | `token_missing` | 401 | (none: only the `Bearer realm` challenge) |
 * | `multiple_tokens`, `token_location_not_allowed`, `malformed_authorization` | 400 | `invalid_request` |
 * | `token_too_large`, `token_malformed`, `algorithm_not_allowed`, `issuer_mismatch`, `key_not_found`, `key_ambiguous`, `signature_invalid`, `token_type_invalid`, `token_expired`, `token_not_yet_valid`, `token_too_old`, `time_in_milliseconds`, `claim_missing`, `claim_invalid`, `audience_mismatch`, `authorized_party_mismatch`, `nonce_mismatch`, `max_age_exceeded`, `decryption_failed`, `encryption_required` | 401 | `invalid_token` |
 * | `token_revoked` (the verifier's `isRevoked` said so) | 401 | `invalid_token` |
 * | `claim_check_failed` | 403 | `insufficient_scope` |
 */
export type ConsumerTokenErrorCode =
  | 'token_missing'
  | 'multiple_tokens'
  | 'token_location_not_allowed'
  | 'malformed_authorization'
  | 'token_too_large'
  | 'token_malformed'
  | 'algorithm_not_allowed'
  | 'issuer_mismatch'
  | 'key_not_found'
  | 'key_ambiguous'
  | 'signature_invalid'
  | 'token_type_invalid'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'token_too_old'
  | 'time_in_milliseconds'
  | 'claim_missing'
  | 'claim_invalid'
  | 'audience_mismatch'
  | 'authorized_party_mismatch'
  | 'nonce_mismatch'
  | 'max_age_exceeded'
  | 'decryption_failed'
  | 'encryption_required'
  | 'token_revoked'
  | 'claim_check_failed';

/** The `error` attribute of RFC 6750 §3.1, or none when the request carried no token at all. */
export type BearerErrorKind = 'invalid_request' | 'invalid_token' | 'insufficient_scope' | undefined;

const REQUEST_CODES = new Set<ConsumerTokenErrorCode>([
  'multiple_tokens',
  'token_location_not_allowed',
  'malformed_authorization',
]);

/** How a consumer error is answered: the realm of the challenge, and whether to say exactly why. */
export interface BearerChallengeOptions {
  /** `realm` of the `WWW-Authenticate: Bearer` challenge. Default `"api"`. */
  realm?: string;
  /** Put the precise reason in `error_description`. Default false: a generic sentence. */
  errorDetail?: boolean;
}

/** The RFC 6750 `error` for a code. */
export function bearerErrorKind(code: ConsumerTokenErrorCode): BearerErrorKind {
  if (code === 'token_missing') return undefined;
  if (code === 'claim_check_failed') return 'insufficient_scope';
  return REQUEST_CODES.has(code) ? 'invalid_request' : 'invalid_token';
}

const GENERIC_DESCRIPTION: Record<Exclude<BearerErrorKind, undefined>, string> = {
  invalid_request: 'The request is malformed',
  invalid_token: 'The access token is invalid',
  insufficient_scope: 'The access token does not grant access to this resource',
};

/**
 * A consumer token (or the request carrying it) was refused. `code` says exactly why and is safe to
 * log; the HTTP answer ({@link ConsumerTokenError.toHttpResponse}) follows RFC 6750 and, unless
 * `errorDetail` is on, says only as much as a client needs (an expired token is told so, so that it
 * can refresh; every other failure reads "The access token is invalid", so that a prober learns
 * nothing about which check it tripped). No message ever contains the token.
 *
 * @example
 * ```ts
 * try {
 *   const consumer = await verifier.verify(token);
 * } catch (e) {
 *   if (e instanceof ConsumerTokenError && e.code === 'token_expired') { ... }
 * }
 * ```
 */
export class ConsumerTokenError extends LpAuthError {
  declare readonly code: ConsumerTokenErrorCode;
  /** The RFC 6750 `error` attribute (undefined when no token was sent). */
  readonly bearerError: BearerErrorKind;
  /** The `iss` of the token, when it was readable; never anything secret. */
  readonly issuer?: string;
  /** The `kid` header of the token, when it was readable (clipped); never anything secret. */
  readonly kid?: string;
  /**
   * How many signature checks the token cost before it was refused (`signature_invalid`: each
   * candidate key tried; `key_ambiguous`: none). Undefined when no key was looked at.
   */
  readonly keysTried?: number;
  #challenge: BearerChallengeOptions;

  constructor(
    code: ConsumerTokenErrorCode,
    message: string,
    options: {
      issuer?: string;
      cause?: unknown;
      challenge?: BearerChallengeOptions;
      keysTried?: number;
    } = {},
  ) {
    const kind = bearerErrorKind(code);
    const status = kind === 'invalid_request' ? 400 : kind === 'insufficient_scope' ? 403 : 401;
    // Messages may quote a token's own values (kid, alg, iss): bounded, so that an attacker's
    // 8 KiB kid cannot bloat a log line or a WWW-Authenticate header.
    super(code, clip(message, 300), { httpStatus: status, cause: options.cause });
    this.bearerError = kind;
    if (options.issuer !== undefined) this.issuer = clip(options.issuer, 256);
    if (options.keysTried !== undefined) this.keysTried = options.keysTried;
    this.#challenge = options.challenge ?? {};
  }

  /**
   * Adds what was read of the token (its `iss` and `kid`) to an error raised before they were
   * known, for the verifier's log line; a value already set is kept.
   */
  describeToken(read: { issuer?: unknown; kid?: unknown }): this {
    const self = this as { issuer?: string; kid?: string };
    if (self.issuer === undefined && typeof read.issuer === 'string') self.issuer = clip(read.issuer, 256);
    if (self.kid === undefined && typeof read.kid === 'string') self.kid = clip(read.kid, 256);
    return this;
  }

  /** The same error, answered with the verifier's realm and detail setting. */
  withChallenge(challenge: BearerChallengeOptions): this {
    this.#challenge = challenge;
    return this;
  }

  /** The `error_description` a client sees. */
  get publicDescription(): string | undefined {
    if (this.bearerError === undefined) return undefined;
    if (this.#challenge.errorDetail) return this.message;
    if (this.code === 'token_expired') return 'The access token expired';
    return GENERIC_DESCRIPTION[this.bearerError];
  }

  /** The status, `WWW-Authenticate` challenge and JSON body of RFC 6750 §3. */
  toHttpResponse(): HttpErrorResponse {
    const realm = this.#challenge.realm ?? 'api';
    const description = this.publicDescription;
    const params = [`realm="${quote(realm)}"`];
    if (this.bearerError) params.push(`error="${this.bearerError}"`);
    if (description) params.push(`error_description="${quote(description)}"`);
    const body: Record<string, unknown> = { error: this.bearerError ?? 'unauthorized' };
    if (description) body.error_description = description;
    // A client may branch on a missing or expired token; which other check failed is for the
    // server's logs (the error's `code`) unless the user asked for detail.
    const tellCode =
      this.#challenge.errorDetail || this.code === 'token_expired' || this.code === 'token_missing';
    body.code = tellCode ? this.code : this.bearerError;
    return { status: this.httpStatus, headers: { 'WWW-Authenticate': `Bearer ${params.join(', ')}` }, body };
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      ...(this.issuer ? { issuer: this.issuer } : {}),
      ...(this.kid !== undefined ? { kid: this.kid } : {}),
      ...(this.keysTried !== undefined ? { keysTried: this.keysTried } : {}),
    };
  }
}

/**
 * The identity provider's keys could not be fetched and no usable copy is left: the token may be
 * fine, so this is a 503 for the server to retry, not a 401 for the client.
 */
export class KeySetUnavailableError extends LpAuthError {
  readonly issuer: string;
  constructor(issuer: string, message: string, cause?: unknown) {
    super('jwks_unavailable', `The signing keys of ${issuer} are unavailable: ${message}`, {
      cause,
      httpStatus: 503,
    });
    this.issuer = issuer;
  }
}

// RFC 6750 §3: quoted-string values use %x20-21 / %x23-5B / %x5D-7E; drop anything else.
function quote(value: string): string {
  return value.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '');
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
