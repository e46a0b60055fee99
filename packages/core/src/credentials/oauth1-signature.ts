import { createHmac, randomBytes } from 'node:crypto';
import { reveal, type Secret } from '../support/secret.js';

/** The request parts an OAuth 1.0 signature covers. */
export interface OAuth1Request {
  method: string;
  /** The full URL, query included; its query parameters are signed. */
  url: string | URL;
  /**
   * The body. Signed only when it is form-encoded: a `URLSearchParams` (fetch sends it as
   * `application/x-www-form-urlencoded`), or text/bytes with that `contentType`. JSON is never signed.
   */
  body?: string | URLSearchParams | ArrayBuffer | ArrayBufferView | null;
  /** The request's `Content-Type` header, if any. */
  contentType?: string | null;
}

/** The four parts of a LivePerson API key. */
export interface OAuth1Keys {
  /** "App key". */
  consumerKey: string;
  /** "Secret". */
  consumerSecret: string | Secret;
  /** "Access token". */
  token: string;
  /** "Access token secret". */
  tokenSecret: string | Secret;
}

export interface OAuth1SignOptions {
  /** Default: 32 random hex characters. */
  nonce?: string;
  /** Seconds since the epoch. Default: now. */
  timestamp?: number | string;
  /** Sign and send `oauth_version="1.0"` (optional in RFC 5849). Default true, as LivePerson documents it. */
  version?: boolean;
  /** A `realm` for the header; never signed (RFC 5849 §3.4.1.3.1). */
  realm?: string;
}

/** What {@link signOAuth1} computed. */
export interface OAuth1Signature {
  /** RFC 5849 §3.4.1 signature base string. */
  baseString: string;
  /** Base64 HMAC-SHA1 of the base string. */
  signature: string;
  /** The complete `Authorization` header value, `OAuth oauth_consumer_key="…", …`, on one line. */
  authorization: string;
}

const FORM = /^\s*application\/x-www-form-urlencoded\s*(;|$)/i;
const UNRESERVED = /^[A-Za-z0-9\-._~]*$/;

/**
 * RFC 3986 percent-encoding as RFC 5849 §3.6 requires: every byte of the UTF-8 form except the
 * unreserved characters `A–Z a–z 0–9 - . _ ~`, with upper-case hex.
 */
export function oauthPercentEncode(value: string): string {
  if (UNRESERVED.test(value)) return value;
  let encoded: string;
  try {
    encoded = encodeURIComponent(value);
  } catch {
    // A lone surrogate: encodeURIComponent throws, Buffer.from writes U+FFFD for it.
    return encodeBytes(value);
  }
  // encodeURIComponent leaves five characters that RFC 3986 reserves; its hex is already upper-case.
  return RESERVED_BY_3986.test(encoded) ? encoded.replace(RESERVED_BY_3986_ALL, escapeChar) : encoded;
}

const RESERVED_BY_3986 = /[!'()*]/;
const RESERVED_BY_3986_ALL = /[!'()*]/g;
const escapeChar = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;

function encodeBytes(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += byte < 0x80 && UNRESERVED.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * `name=value` pairs of a query string or form body, decoded as `application/x-www-form-urlencoded`
 * (`+` is a space, `%XX` are UTF-8 bytes), in order, repeated names kept.
 */
export function parseFormEncoded(text: string): [string, string][] {
  // URLSearchParams drops one leading "?"; the one we add keeps a "?" that belongs to the data.
  return [...new URLSearchParams(`?${text}`)];
}

function bodyText(body: OAuth1Request['body']): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (body instanceof ArrayBuffer) return Buffer.from(body).toString('utf8');
  if (ArrayBuffer.isView(body))
    return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  return undefined;
}

/** Whether a `Content-Type` says `application/x-www-form-urlencoded`. */
export function isFormContentType(contentType: string | null | undefined): boolean {
  return !!contentType && FORM.test(contentType);
}

/** Whether `request`'s body is one that OAuth 1.0 signs (single-part form-encoded). */
export function isSignedBody(request: Pick<OAuth1Request, 'body' | 'contentType'>): boolean {
  if (request.body === undefined || request.body === null) return false;
  if (request.contentType) return isFormContentType(request.contentType);
  return request.body instanceof URLSearchParams;
}

/** RFC 5849 §3.4.1.2: scheme and host lower-case, default port dropped, path as sent, no query. */
export function oauthBaseUrl(url: URL): string {
  // WHATWG URL already lower-cases scheme and host and empties a default port.
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/**
 * The RFC 5849 §3.4.1 signature base string of a request whose `oauth_*` protocol parameters are
 * `oauthParams` (without `oauth_signature`).
 */
export function oauthBaseString(request: OAuth1Request, oauthParams: Iterable<[string, string]>): string {
  const url = new URL(String(request.url));
  const pairs: [string, string][] = [];
  // url.searchParams decodes the query as form data, as parseFormEncoded does, without a second parse.
  for (const [name, value] of url.searchParams) {
    if (name !== 'oauth_signature') pairs.push([oauthPercentEncode(name), oauthPercentEncode(value)]);
  }
  if (isSignedBody(request)) {
    const text = bodyText(request.body);
    if (text !== undefined) {
      for (const [name, value] of parseFormEncoded(text)) {
        if (name !== 'oauth_signature') pairs.push([oauthPercentEncode(name), oauthPercentEncode(value)]);
      }
    }
  }
  for (const [name, value] of oauthParams) pairs.push([oauthPercentEncode(name), oauthPercentEncode(value)]);
  // Encoded strings are ASCII, so code-unit order is the byte order §3.4.1.3.2 asks for.
  pairs.sort(byNameThenValue);
  let normalized = '';
  for (let i = 0; i < pairs.length; i++) normalized += `${i === 0 ? '' : '&'}${pairs[i]![0]}=${pairs[i]![1]}`;
  return `${request.method.toUpperCase()}&${oauthPercentEncode(oauthBaseUrl(url))}&${oauthPercentEncode(normalized)}`;
}

const byNameThenValue = ([an, av]: [string, string], [bn, bv]: [string, string]) =>
  an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0;

/** Random bytes drawn in blocks: one system call per 256 nonces instead of one per request. */
const NONCE_BYTES = 16;
let noncePool = Buffer.alloc(0);
let noncePoolOffset = 0;

/** 32 random hex characters (128 bits from the CSPRNG). */
export function oauthNonce(): string {
  if (noncePoolOffset + NONCE_BYTES > noncePool.length) {
    noncePool = randomBytes(NONCE_BYTES * 256);
    noncePoolOffset = 0;
  }
  const nonce = noncePool.toString('hex', noncePoolOffset, noncePoolOffset + NONCE_BYTES);
  noncePoolOffset += NONCE_BYTES;
  return nonce;
}

/**
 * Signs a request with OAuth 1.0 HMAC-SHA1 (RFC 5849 §3.4) as LivePerson's API keys require: query
 * parameters and form-encoded body parameters are signed, JSON bodies are not. Pure apart from the
 * default nonce and timestamp.
 *
 * @example
 * ```ts
 * const { authorization } = signOAuth1(
 *   { method: 'GET', url: 'https://va.ac.liveperson.net/api/account/123/configuration/le-users/users?v=4.0' },
 *   { consumerKey, consumerSecret, token, tokenSecret },
 * );
 * await fetch(url, { headers: { authorization } });
 * ```
 */
export function signOAuth1(
  request: OAuth1Request,
  keys: OAuth1Keys,
  options: OAuth1SignOptions = {},
): OAuth1Signature {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const oauth: [string, string][] = [
    ['oauth_consumer_key', keys.consumerKey],
    ['oauth_token', keys.token],
    ['oauth_signature_method', 'HMAC-SHA1'],
    ['oauth_timestamp', timestamp],
    ['oauth_nonce', options.nonce ?? oauthNonce()],
  ];
  if (options.version !== false) oauth.push(['oauth_version', '1.0']);
  const baseString = oauthBaseString(request, oauth);
  const key = `${oauthPercentEncode(reveal(keys.consumerSecret))}&${oauthPercentEncode(reveal(keys.tokenSecret))}`;
  const signature = createHmac('sha1', key).update(baseString, 'utf8').digest('base64');
  // LivePerson's documented order: key, token, method, signature, timestamp, nonce, version.
  // Built as one string rather than an array of pairs mapped and joined: this runs on every request.
  const param = (name: string, value: string) => `${name}="${oauthPercentEncode(value)}"`;
  let authorization = 'OAuth ';
  if (options.realm !== undefined) authorization += `${param('realm', options.realm)}, `;
  authorization += `${param(...oauth[0]!)}, ${param(...oauth[1]!)}, ${param(...oauth[2]!)}, `;
  authorization += `${param('oauth_signature', signature)}, ${param(...oauth[3]!)}, ${param(...oauth[4]!)}`;
  for (let i = 5; i < oauth.length; i++) authorization += `, ${param(...oauth[i]!)}`;
  return { baseString, signature, authorization };
}
