/**
 * Reading a JWT without verifying it, for `lp-auth decode`. Nothing here checks a signature: the
 * command says so in every output.
 *
 * @module
 */
import { CliError } from './errors.js';

/** A JWT split into its parts; nothing verified. */
export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  /** Whether the token carries a signature part (an unsecured `alg: none` token has none). */
  signed: boolean;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Splits and parses a compact JWS. Accepts a leading `Bearer ` (copied from a header) and
 * surrounding whitespace. Throws a `jwt_malformed` {@link CliError} that says which part is wrong.
 */
export function decodeJwt(input: string): DecodedJwt {
  const token = input.trim().replace(/^Bearer\s+/i, '');
  if (token === '') throw malformed('the input is empty.');
  const parts = token.split('.');
  if (parts.length === 5) {
    throw malformed('it has five parts: an encrypted JWT (JWE), whose claims only the key holder can read.');
  }
  if (parts.length !== 3) {
    throw malformed(`a JWT has three parts separated by dots; this has ${parts.length}.`);
  }
  const [headerPart, payloadPart, signature] = parts as [string, string, string];
  const header = parsePart('header', headerPart);
  const claims = parsePart('payload', payloadPart);
  if (!BASE64URL.test(signature)) throw malformed('the signature part is not base64url.');
  return { header, claims, signed: signature !== '' };
}

function parsePart(name: string, part: string): Record<string, unknown> {
  if (part === '' || !BASE64URL.test(part)) throw malformed(`the ${name} is not base64url.`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw malformed(`the ${name} is not JSON once decoded.`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw malformed(`the ${name} is not a JSON object.`);
  }
  return value as Record<string, unknown>;
}

function malformed(why: string): CliError {
  return new CliError('jwt_malformed', `not a JWT: ${why}`);
}
