import { ConsumerTokenError } from '../errors/index.js';

/**
 * A `typ` as RFC 7515 §4.1.9 compares it: case-insensitive, `application/` implied when there is
 * no slash (`at+jwt` and `application/AT+JWT` are one type).
 */
export function normalizeTokenType(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

// An id_token either says nothing or that it is a plain JWT (RFC 7519 §5.1); a more precise type
// (`at+jwt` RFC 9068, `secevent+jwt` RFC 8417, `logout+jwt`, …) names another kind of token that the
// same IdP may sign with the same key, and must not be accepted as an identity (RFC 8725 §3.11).
const ID_TOKEN_TYPES = new Set(['jwt']);

/**
 * Checks the token's `typ` header (explicit typing, RFC 8725 §3.11). With `required` (normalized,
 * e.g. `at+jwt`), the header must carry that type; without it, the token must look like an
 * id_token: no `typ`, `JWT` or `application/jwt`. Throws `token_type_invalid`.
 */
export function checkTokenType(typ: unknown, required: string | undefined): void {
  if (typ !== undefined && typeof typ !== 'string') {
    throw new ConsumerTokenError('token_malformed', 'The token\'s "typ" header is not a string.');
  }
  if (required !== undefined) {
    if (typ === undefined || normalizeTokenType(typ) !== required) {
      throw new ConsumerTokenError(
        'token_type_invalid',
        `The token's "typ" must be "${required}" (option consumer.typ).`,
      );
    }
    return;
  }
  if (typ !== undefined && !ID_TOKEN_TYPES.has(normalizeTokenType(typ))) {
    throw new ConsumerTokenError(
      'token_type_invalid',
      `The token's "typ" names another kind of token ("${typ}"), not an id_token.`,
    );
  }
}
