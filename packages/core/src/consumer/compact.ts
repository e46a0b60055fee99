import { ConsumerTokenError } from '../errors/index.js';

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

const COMPACT = /^[A-Za-z0-9_.-]*$/;

/**
 * Refuses anything but the compact serialization's alphabet before the token is split: a JWS or
 * JWE in JSON serialization (RFC 7515 §7.2, it starts with `{`) is not a bearer token, and a
 * stray character would otherwise be reported by whichever later step tripped on it (a JSON
 * document with four dots in its values used to read as an undecryptable JWE).
 */
export function checkCompactCharacters(token: string): void {
  if (COMPACT.test(token)) return;
  throw new ConsumerTokenError(
    'token_malformed',
    token.startsWith('{')
      ? 'The token is in JSON serialization; only the compact serialization (three or five base64url parts) is accepted.'
      : 'The token contains characters outside base64url and ".".',
  );
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
  if (!isStrictBase64url(head) || !isStrictBase64url(body) || !isStrictBase64url(sig)) {
    throw new ConsumerTokenError('token_malformed', 'The token is not made of canonical base64url segments.');
  }
  const header = decodeJsonObject(head, 'header');
  const payload = decodeJsonObject(body, 'payload');
  return { header, payload, signingInput: `${head}.${body}`, signature: Buffer.from(sig, 'base64url') };
}

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Whether `segment` is base64url (RFC 7515 §2: no padding, no other characters) and the one
 * encoding of its bytes: no length that leaves a lone character (≡ 1 mod 4), and zero bits where
 * the last character pads. Buffer's decoder (and jose's) ignore a dangling character, non-zero
 * padding bits and even stray characters, so without this one token would have many spellings,
 * each a miss of the verified-token cache (RFC 4648 §3.5).
 */
export function isStrictBase64url(segment: string): boolean {
  if (!BASE64URL.test(segment)) return false;
  const rest = segment.length % 4;
  if (rest === 0) return true;
  if (rest === 1) return false;
  const last = BASE64URL_ALPHABET.indexOf(segment[segment.length - 1]!);
  // Two leftover characters carry one byte (4 padding bits), three carry two (2 padding bits).
  const paddingMask = rest === 2 ? 0b1111 : 0b11;
  return (last & paddingMask) === 0;
}

// Fatal: invalid UTF-8 is refused rather than silently turned into U+FFFD (RFC 7519 §7.2, steps 3
// and 10: the header and the claims must be UTF-8 JSON objects).
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** One base64url segment as a JSON object; nothing in it is trusted yet. */
function decodeJsonObject(segment: string, what: string): Record<string, unknown> {
  let text: string;
  let value: unknown;
  try {
    text = UTF8.decode(Buffer.from(segment, 'base64url'));
    value = JSON.parse(text);
  } catch {
    throw new ConsumerTokenError('token_malformed', `The token's ${what} is not valid UTF-8 JSON.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConsumerTokenError('token_malformed', `The token's ${what} is not a JSON object.`);
  }
  if (hasDuplicateNames(text)) {
    // JSON.parse keeps the last of two equal names, another parser may keep the first: a token
    // that reads differently to different parsers is refused (RFC 7515 §5.2, RFC 7519 §4).
    throw new ConsumerTokenError('token_malformed', `The token's ${what} repeats a member name.`);
  }
  return value as Record<string, unknown>;
}

/**
 * Whether any object in `json` (text JSON.parse has accepted) has two members with the same name,
 * compared after unescaping (`"sub"` and `"\u0073ub"` are one name). One pass, no recursion.
 */
export function hasDuplicateNames(json: string): boolean {
  // One entry per open object (its names so far) or array (null).
  const open: (Set<string> | null)[] = [];
  let expectName = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 0x22) {
      const start = i;
      let escaped = false;
      for (i++; json.charCodeAt(i) !== 0x22; i++) {
        if (json.charCodeAt(i) === 0x5c) {
          escaped = true;
          i++;
        }
      }
      const names = open[open.length - 1];
      if (expectName && names) {
        const name = escaped ? (JSON.parse(json.slice(start, i + 1)) as string) : json.slice(start + 1, i);
        if (names.has(name)) return true;
        names.add(name);
        expectName = false;
      }
    } else if (c === 0x7b) {
      open.push(new Set());
      expectName = true;
    } else if (c === 0x5b) {
      open.push(null);
      expectName = false;
    } else if (c === 0x7d || c === 0x5d) {
      open.pop();
      expectName = false;
    } else if (c === 0x2c) {
      expectName = (open[open.length - 1] ?? null) !== null;
    }
  }
  return false;
}
