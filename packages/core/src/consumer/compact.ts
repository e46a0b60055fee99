import { ConsumerTokenError } from '../errors/index.js';

/** A JWS in compact serialization, split and decoded but not yet trusted. */
export interface DecodedJws {
  /** Frozen: decoded headers are shared by the tokens that carry the same one. */
  header: Readonly<Record<string, unknown>>;
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
  let at = -1;
  for (let dots = 0; dots < 5; dots++) {
    at = token.indexOf('.', at + 1);
    if (at === -1) return dots === 4;
  }
  return false;
}

/**
 * Splits and decodes a compact JWS. Throws `token_malformed` for anything that is not one: not
 * three segments, a segment that is not the canonical base64url of its bytes, a header or payload
 * that is not a UTF-8 JSON object or that repeats a member name. A refusal first runs
 * {@link checkCompactCharacters}, so that a token with stray characters (or in JSON serialization)
 * is reported as such whichever check tripped first.
 */
export function decodeCompactJws(token: string): DecodedJws {
  try {
    return decodeJws(token);
  } catch (error) {
    checkCompactCharacters(token);
    throw error;
  }
}

function decodeJws(token: string): DecodedJws {
  // indexOf, not split: no array, and the segments are slices of the token.
  const first = token.indexOf('.');
  const second = first === -1 ? -1 : token.indexOf('.', first + 1);
  if (second === -1 || token.indexOf('.', second + 1) !== -1) {
    throw new ConsumerTokenError(
      'token_malformed',
      'The token is not a JWT (expected three dot-separated parts).',
    );
  }
  const head = token.slice(0, first);
  const body = token.slice(first + 1, second);
  const sig = token.slice(second + 1);
  const header = HEADERS.get(head) ?? decodeHeader(head);
  const payloadBytes = Buffer.from(body, 'base64url');
  const signature = Buffer.from(sig, 'base64url');
  // Base64url checked while decoding: a segment is the one encoding of its bytes exactly when
  // encoding them gives the segment back. That refuses in one native pass what decoders let
  // through (RFC 4648 §3.5): characters outside the alphabet (skipped), "+" and "/" (taken as
  // "-" and "_"), "=" padding, a dangling character, non-zero padding bits. Without it one token
  // would have many spellings, each a miss of the verified-token cache.
  if (payloadBytes.toString('base64url') !== body || signature.toString('base64url') !== sig) {
    throw notCanonical();
  }
  const payload = parseJsonObject(payloadBytes, 'payload');
  return { header, payload, signingInput: token.slice(0, second), signature };
}

const notCanonical = () =>
  new ConsumerTokenError('token_malformed', 'The token is not made of canonical base64url segments.');

/**
 * Decoded headers, by their base64url segment, frozen. An IdP signs every token with the same
 * header (its `alg`, `kid`, `typ`), so a header is decoded once rather than for every token: the
 * lookup costs about a tenth of decoding, parsing and checking it. Only headers that decoded, of
 * ordinary size, a few at a time: a stream of distinct (forged) headers only evicts, the oldest
 * first, and a real header is back after one token. The segments kept are proven canonical.
 */
const HEADERS = new Map<string, Readonly<Record<string, unknown>>>();
const MAX_HEADERS = 16;
const MAX_HEADER_CHARS = 512;

function decodeHeader(head: string): Readonly<Record<string, unknown>> {
  const bytes = Buffer.from(head, 'base64url');
  if (bytes.toString('base64url') !== head) throw notCanonical();
  const header = Object.freeze(parseJsonObject(bytes, 'header'));
  if (head.length <= MAX_HEADER_CHARS) {
    if (HEADERS.size >= MAX_HEADERS) HEADERS.delete(HEADERS.keys().next().value!);
    // A copy: the segment is a slice, which would keep the whole token alive.
    HEADERS.set(bytes.toString('base64url'), header);
  }
  return header;
}

// The value of each base64url character, by character code (-1: not base64url).
const BASE64URL_VALUE = new Int8Array(128).fill(-1);
for (const [value, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].entries()) {
  BASE64URL_VALUE[c.charCodeAt(0)] = value;
}

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
  const last = BASE64URL_VALUE[segment.charCodeAt(segment.length - 1)]!;
  // Two leftover characters carry one byte (4 padding bits), three carry two (2 padding bits).
  return (last & (rest === 2 ? 0b1111 : 0b11)) === 0;
}

// Fatal: invalid UTF-8 is refused rather than silently turned into U+FFFD (RFC 7519 §7.2, steps 3
// and 10: the header and the claims must be UTF-8 JSON objects).
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The bytes of a segment as a JSON object; nothing in it is trusted yet. */
function parseJsonObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(UTF8.decode(bytes));
  } catch {
    throw new ConsumerTokenError('token_malformed', `The token's ${what} is not valid UTF-8 JSON.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConsumerTokenError('token_malformed', `The token's ${what} is not a JSON object.`);
  }
  if (repeatsMemberName(bytes, value)) {
    // JSON.parse keeps the last of two equal names, another parser may keep the first: a token
    // that reads differently to different parsers is refused (RFC 7515 §5.2, RFC 7519 §4).
    throw new ConsumerTokenError('token_malformed', `The token's ${what} repeats a member name.`);
  }
  return value as Record<string, unknown>;
}

/**
 * Whether an object of `json` (UTF-8 JSON text) repeats a member name, given `value`, what
 * JSON.parse made of it. JSON.parse keeps one property per distinct name of an object (compared
 * after unescaping: `"sub"` and `"\u0073ub"` are one name), so the members written in the text
 * outnumber the properties of the parsed objects exactly when some object repeats a name.
 * Counting both is cheaper than collecting and comparing the names.
 */
export function repeatsMemberName(json: Uint8Array, value: object): boolean {
  return membersWritten(json) !== propertiesParsed(value, 0);
}

/**
 * The members of every object in `json` (JSON that JSON.parse has accepted): one `:` outside
 * strings each. Bytes rather than the decoded text: a typed array reads faster than a string,
 * and `"`, `\` and `:` are never part of a multi-byte UTF-8 character.
 */
function membersWritten(json: Uint8Array): number {
  let members = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === 0x22) {
      for (i++; i < json.length && json[i] !== 0x22; i++) if (json[i] === 0x5c) i++;
    } else if (c === 0x3a) members++;
  }
  return members;
}

/** The own properties of every object in a parsed JSON value. */
function propertiesParsed(value: object, depth: number): number {
  // Recursion is cheapest; JSON nested deeper than a token ever is goes on without it.
  if (depth > 32) return propertiesParsedDeep(value);
  let properties = 0;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'object' && item !== null) properties += propertiesParsed(item, depth + 1);
    }
    return properties;
  }
  const names = Object.keys(value);
  properties += names.length;
  for (let i = 0; i < names.length; i++) {
    const item = (value as Record<string, unknown>)[names[i]!];
    if (typeof item === 'object' && item !== null) properties += propertiesParsed(item, depth + 1);
  }
  return properties;
}

/** {@link propertiesParsed} without recursion: JSON nesting is bounded only by the token's size. */
function propertiesParsedDeep(value: object): number {
  let properties = 0;
  const pending: object[] = [value];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    const items: unknown[] = Array.isArray(node) ? node : Object.values(node);
    if (!Array.isArray(node)) properties += items.length;
    for (const item of items) if (typeof item === 'object' && item !== null) pending.push(item);
  }
  return properties;
}
