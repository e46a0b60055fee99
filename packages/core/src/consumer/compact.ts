import { ConsumerTokenError } from './errors.js';

/** A JWS in compact serialization, split and decoded but not yet trusted. */
export interface DecodedJws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** `base64url(header) + "." + base64url(payload)`: what the signature covers. */
  signingInput: string;
  signature: Buffer;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Default upper bound of a token, in characters, checked before anything is parsed. */
export const DEFAULT_MAX_TOKEN_LENGTH = 8192;

/**
 * Refuses a token longer than `maxLength` before a single byte of it is decoded: a huge token
 * would otherwise cost base64 and JSON work (and memory) on an unauthenticated request.
 */
export function checkTokenSize(token: string, maxLength: number): void {
  if (token.length > maxLength) {
    throw new ConsumerTokenError(
      'token_too_large',
      `The token is ${token.length} characters long; the limit is ${maxLength} (option consumer.maxTokenLength).`,
    );
  }
}

/** Whether the token is a JWE (five segments) rather than a JWS (three). */
export function isCompactJwe(token: string): boolean {
  let dots = 0;
  for (let i = 0; i < token.length; i++) if (token.charCodeAt(i) === 46) dots++;
  return dots === 4;
}

/** Splits and decodes a compact JWS. Throws `token_malformed` for anything that is not one. */
export function decodeCompactJws(token: string): DecodedJws {
  const parts = token.split('.');
  if (parts.length !== 3) {
    throw new ConsumerTokenError(
      'token_malformed',
      'The token is not a JWT (expected three dot-separated parts).',
    );
  }
  const [head, body, sig] = parts as [string, string, string];
  if (!BASE64URL.test(head) || !BASE64URL.test(body) || !BASE64URL.test(sig)) {
    throw new ConsumerTokenError('token_malformed', 'The token contains characters outside base64url.');
  }
  const header = decodeJsonObject(head, 'header');
  const payload = decodeJsonObject(body, 'payload');
  return { header, payload, signingInput: `${head}.${body}`, signature: Buffer.from(sig, 'base64url') };
}

/** One base64url segment as a JSON object; nothing in it is trusted yet. */
function decodeJsonObject(segment: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new ConsumerTokenError('token_malformed', `The token's ${what} is not valid JSON.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConsumerTokenError('token_malformed', `The token's ${what} is not a JSON object.`);
  }
  return value as Record<string, unknown>;
}
