import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The server side of OAuth 1.0 HMAC-SHA1 (RFC 5849 §3.2), written apart from the client in
 * `@lp-auth/core` so that each checks the other: the emulator recomputes every signature with the
 * secrets it issued.
 */

/** `oauth_problem` values (OAuth Problem Reporting extension) that the emulator answers with. */
export type OAuth1Problem =
  | 'parameter_absent'
  | 'signature_method_rejected'
  | 'version_rejected'
  | 'consumer_key_unknown'
  | 'token_rejected'
  | 'timestamp_refused'
  | 'nonce_used'
  | 'signature_invalid';

/** One issued API key: four parts, as LivePerson's UI shows them. */
export interface OAuth1Key {
  consumerKey: string;
  consumerSecret: string;
  token: string;
  tokenSecret: string;
}

export interface OAuth1VerifyInput {
  method: string;
  /** Scheme and authority the client addressed, e.g. `http://127.0.0.1:4000`. */
  origin: string;
  /** Path and query exactly as received (`req.url`). */
  target: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}

export type OAuth1VerifyResult =
  { ok: true; key: OAuth1Key } | { ok: false; problem: OAuth1Problem; advice: string; parameter?: string };

const REQUIRED = [
  'oauth_consumer_key',
  'oauth_token',
  'oauth_signature_method',
  'oauth_signature',
  'oauth_timestamp',
  'oauth_nonce',
] as const;

/** RFC 3986 unreserved characters stay; every other UTF-8 byte becomes %XX (upper case). */
function encode(text: string): string {
  return Array.from(Buffer.from(text, 'utf8'), (b) => {
    const c = String.fromCharCode(b);
    return /[A-Za-z0-9\-._~]/.test(c) ? c : '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }).join('');
}

/** Form decoding: "+" is a space, %XX are UTF-8 bytes; a bad escape is kept literally. */
function decodeForm(text: string): string {
  const spaced = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

function formPairs(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    out.push(
      eq < 0 ? [decodeForm(part), ''] : [decodeForm(part.slice(0, eq)), decodeForm(part.slice(eq + 1))],
    );
  }
  return out;
}

/** Parses `OAuth k="v", k="v"` (RFC 5849 §3.5.1); names and values are percent-encoded. */
export function parseOAuthHeader(header: string | undefined): Map<string, string> | undefined {
  const match = header ? /^\s*OAuth\s+(.*)$/is.exec(header) : null;
  if (!match) return undefined;
  const params = new Map<string, string>();
  // Values are percent-encoded, so a comma only ever separates parameters.
  for (const part of match[1]!.split(',')) {
    const pair = /^\s*([^=\s]+)\s*=\s*"([^"]*)"\s*$/.exec(part);
    if (!pair) return undefined;
    try {
      params.set(decodeURIComponent(pair[1]!), decodeURIComponent(pair[2]!));
    } catch {
      return undefined;
    }
  }
  return params;
}

/** The base string RFC 5849 §3.4.1 defines, from the request as the server received it. */
export function serverBaseString(input: OAuth1VerifyInput, oauth: Map<string, string>): string {
  const q = input.target.indexOf('?');
  const path = q < 0 ? input.target : input.target.slice(0, q);
  const query = q < 0 ? '' : input.target.slice(q + 1);
  const origin = new URL(input.origin);
  const defaultPort =
    (origin.protocol === 'http:' && origin.port === '80') ||
    (origin.protocol === 'https:' && origin.port === '443');
  const authority = `${origin.hostname.toLowerCase()}${origin.port && !defaultPort ? `:${origin.port}` : ''}`;
  const baseUrl = `${origin.protocol.toLowerCase()}//${authority}${path}`;
  const params: [string, string][] = formPairs(query);
  if (input.contentType && /^application\/x-www-form-urlencoded\b/i.test(input.contentType.trim())) {
    params.push(...formPairs(input.body));
  }
  for (const [k, v] of oauth) if (k !== 'realm' && k !== 'oauth_signature') params.push([k, v]);
  const normalized = params
    .filter(([k]) => k !== 'oauth_signature')
    .map(([k, v]) => [encode(k), encode(v)] as const)
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return `${input.method.toUpperCase()}&${encode(baseUrl)}&${encode(normalized)}`;
}

/** The OAuth 1.0 keys the emulator issued, looked up by consumer key. */
export type OAuth1KeyLookup = (consumerKey: string) => OAuth1Key | undefined;

/** Accepted distance between a request's `oauth_timestamp` and the emulator's clock (wire page §3). */
export const TIMESTAMP_WINDOW_SECONDS = 300;

/**
 * Nonces seen within the timestamp window, per consumer key and token: a nonce may be used once
 * (RFC 5849 §3.3). Entries older than the window are forgotten, since their timestamp is refused anyway.
 */
export class NonceCache {
  readonly #seen = new Map<string, number>();
  #lastSweep = 0;

  /** Records the nonce; false when it was already used within the window. */
  use(consumerKey: string, token: string, nonce: string, timestamp: number, nowSeconds: number): boolean {
    this.#sweep(nowSeconds);
    const key = `${consumerKey}\u0000${token}\u0000${nonce}`;
    if (this.#seen.has(key)) return false;
    this.#seen.set(key, timestamp);
    return true;
  }

  #sweep(now: number): void {
    if (now - this.#lastSweep < 10) return;
    this.#lastSweep = now;
    for (const [key, ts] of this.#seen)
      if (Math.abs(now - ts) > TIMESTAMP_WINDOW_SECONDS) this.#seen.delete(key);
  }
}

function fail(problem: OAuth1Problem, advice: string, parameter?: string): OAuth1VerifyResult {
  return { ok: false, problem, advice, ...(parameter ? { parameter } : {}) };
}

/**
 * Verifies an OAuth 1.0 HMAC-SHA1 request the way a LivePerson API does: parameters present,
 * known consumer key and token, timestamp within ±300 s, nonce unused, and the signature recomputed
 * with the issued secrets (compared in constant time).
 */
export function verifyOAuth1(
  input: OAuth1VerifyInput,
  lookup: OAuth1KeyLookup,
  nonces: NonceCache,
  nowSeconds = Math.floor(Date.now() / 1000),
): OAuth1VerifyResult {
  const oauth = parseOAuthHeader(input.authorization);
  if (!oauth)
    return fail('parameter_absent', 'an Authorization: OAuth header is required', 'oauth_signature');
  for (const name of REQUIRED) {
    if (!oauth.get(name)) return fail('parameter_absent', `${name} is missing`, name);
  }
  if (oauth.get('oauth_signature_method') !== 'HMAC-SHA1') {
    return fail('signature_method_rejected', 'only HMAC-SHA1 is accepted');
  }
  const version = oauth.get('oauth_version');
  if (version !== undefined && version !== '1.0')
    return fail('version_rejected', 'oauth_version must be 1.0');
  const key = lookup(oauth.get('oauth_consumer_key')!);
  if (!key) return fail('consumer_key_unknown', 'the oauth_consumer_key is not known');
  if (oauth.get('oauth_token') !== key.token)
    return fail('token_rejected', 'the oauth_token is not valid for this key');
  const timestampText = oauth.get('oauth_timestamp')!;
  const timestamp = /^\d{1,12}$/.test(timestampText) ? Number(timestampText) : NaN;
  if (!(Math.abs(nowSeconds - timestamp) <= TIMESTAMP_WINDOW_SECONDS)) {
    return fail(
      'timestamp_refused',
      `the oauth_timestamp must be within ${TIMESTAMP_WINDOW_SECONDS} seconds of now`,
    );
  }
  const expected = createHmac('sha1', `${encode(key.consumerSecret)}&${encode(key.tokenSecret)}`)
    .update(serverBaseString(input, oauth), 'utf8')
    .digest();
  const presented = Buffer.from(oauth.get('oauth_signature')!, 'base64');
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
    return fail('signature_invalid', 'the oauth_signature is invalid');
  }
  // Only a correctly signed request spends its nonce; a forged one must not block the real one.
  if (!nonces.use(key.consumerKey, key.token, oauth.get('oauth_nonce')!, timestamp, nowSeconds)) {
    return fail('nonce_used', 'the oauth_nonce was already used');
  }
  return { ok: true, key };
}
