import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Secret } from '../support/secret.js';
import { AppAuthorizationError } from '../errors/index.js';

/** What the login routes remember between the redirect to Sentinel and the callback. */
export interface LoginState {
  /** The `state` sent to Sentinel. */
  state: string;
  /** The PKCE verifier of the challenge sent to Sentinel. */
  codeVerifier: string;
  /** Where to send the user after the login: a path on this site. */
  returnTo: string;
  /** Epoch ms after which the callback is refused. */
  expiresAt: number;
}

/** Attributes of a `Set-Cookie` header. */
export interface CookieAttributes {
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: 'Lax' | 'Strict' | 'None';
  path?: string;
  /** Seconds; 0 deletes the cookie. */
  maxAge?: number;
}

// Distinguishes this MAC from any other the same secret might make: a value signed for one purpose
// cannot be replayed as another.
const PURPOSE = 'lp-auth login state v1';

function mac(secret: Secret, data: string): Buffer {
  return createHmac('sha256', secret.reveal()).update(`${PURPOSE}\n${data}`, 'utf8').digest();
}

/**
 * The login state as a cookie value: `base64url(JSON).base64url(HMAC-SHA256)`. Signed, not
 * encrypted: the browser that holds it may read its own verifier, but nobody can forge or alter it.
 */
export function sealLoginState(login: LoginState, secret: Secret): string {
  const data = Buffer.from(JSON.stringify(login), 'utf8').toString('base64url');
  return `${data}.${mac(secret, data).toString('base64url')}`;
}

/**
 * The login state of a cookie value, if its signature is right and it has not expired.
 * @throws AppAuthorizationError `state_mismatch` when it is absent, forged, tampered with or stale
 */
export function openLoginState(value: string | undefined, secret: Secret, now: number): LoginState {
  const refuse = (why: string) =>
    new AppAuthorizationError('state_mismatch', `The login state cookie ${why}; start the login again.`);
  if (!value) throw refuse('is missing (cookies blocked, or the login was started elsewhere)');
  const dot = value.indexOf('.');
  if (dot <= 0) throw refuse('is malformed');
  const data = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1), 'base64url');
  const expected = mac(secret, data);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw refuse('has a bad signature');
  }
  const login = JSON.parse(Buffer.from(data, 'base64url').toString('utf8')) as LoginState;
  if (!(login.expiresAt > now)) throw refuse('has expired');
  return login;
}

/** Compares two strings in constant time: their MACs have one length whatever theirs are. */
export function sameSecret(a: string, b: string, secret: Secret): boolean {
  return timingSafeEqual(mac(secret, a), mac(secret, b));
}

/** One `Set-Cookie` header value. Name and value must be cookie-safe (ours are base64url). */
export function serializeCookie(name: string, value: string, attributes: CookieAttributes = {}): string {
  const parts = [`${name}=${value}`];
  if (attributes.maxAge !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(attributes.maxAge))}`);
  parts.push(`Path=${attributes.path ?? '/'}`);
  if (attributes.httpOnly !== false) parts.push('HttpOnly');
  if (attributes.secure) parts.push('Secure');
  parts.push(`SameSite=${attributes.sameSite ?? 'Lax'}`);
  return parts.join('; ');
}

/** The cookies of a `Cookie` header; the first of two cookies with one name wins (RFC 6265 §5.4 order). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}

// Any origin works for resolving a path: only whether the result stays on it matters. Callers that
// know the app's origin pass it, so the check reads as what a browser on that origin would do.
const PLACEHOLDER_ORIGIN = 'http://return-to.invalid';
const MAX_RETURN_TO_LENGTH = 2048;
// WHATWG URL parsing removes tabs and newlines anywhere and C0 controls at the ends, so `/\t/evil`
// becomes `//evil` in a browser; such values are refused rather than guessed at.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
// A server or proxy that percent-decodes a path once more (some do, before routing or in their own
// redirects) must not find another host in it either; decodings beyond this many are not followed.
const DECODING_ROUNDS = 3;

/**
 * `value` as the path, query and fragment a browser on `origin` would request for it (WHATWG URL
 * parsing: `\` read as `/`, `.`/`..` segments removed, `%2e` read as `.`, non-ASCII percent-encoded),
 * or `undefined` when that is not a plain path on `origin`: an absolute or scheme-relative URL
 * (`https:evil.example`, `//evil.example`, `/\evil.example`, `/.//evil.example`,
 * `/%2e%2e//evil.example`), a control character, a value over 2048 characters, or a path whose
 * percent-decoding (`/%5Cevil.example`, `/%2F%2Fevil.example`) reads as one of those.
 */
export function normaliseReturnTo(value: unknown, origin: string = PLACEHOLDER_ORIGIN): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_RETURN_TO_LENGTH) return undefined;
  if (!value.startsWith('/') || CONTROL.test(value)) return undefined;
  const url = sameOriginUrl(value, origin);
  if (url === undefined) return undefined;
  let pathname = url.pathname;
  for (let round = 0; round < DECODING_ROUNDS; round++) {
    const decoded = pathname.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) =>
      String.fromCharCode(parseInt(hex, 16)),
    );
    if (decoded === pathname) break;
    if (decoded.includes('\\') || CONTROL.test(decoded)) return undefined;
    const again = sameOriginUrl(decoded, origin);
    if (again === undefined) return undefined;
    pathname = again.pathname;
  }
  return `${url.pathname}${url.search}${url.hash}`;
}

function sameOriginUrl(value: string, origin: string): URL | undefined {
  if (!URL.canParse(value, origin)) return undefined;
  const url = new URL(value, origin);
  if (url.origin !== new URL(origin).origin) return undefined;
  // A Location that starts `//` or `/\` names a host to every browser, even if it parsed as a path here.
  if (url.pathname.startsWith('//') || url.pathname.startsWith('/\\')) return undefined;
  return url;
}

/**
 * Where to send the browser after the login: {@link normaliseReturnTo}'s path for `value`, or
 * `fallback` when `value` is absent or is not a plain path on this site. Never throws: a hostile
 * `returnTo` costs the user nothing but the page they land on.
 *
 * @example
 * ```ts
 * safeReturnTo('/reports/../me?tab=1'); // '/me?tab=1'
 * safeReturnTo('/.//evil.example');     // '/'
 * ```
 */
export function safeReturnTo(value: unknown, fallback = '/', origin?: string): string {
  if (value === undefined || value === null || value === '') return fallback;
  return normaliseReturnTo(value, origin) ?? fallback;
}
