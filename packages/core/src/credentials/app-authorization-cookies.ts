import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Secret } from '../config/secret.js';
import { AppAuthorizationError } from './app-authorization-errors.js';

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

/**
 * `returnTo` if it is a path on this site, for the redirect after the login. Refused: absolute URLs
 * (`https://evil.example`), scheme-relative ones (`//evil.example`), backslashes (`/\evil.example`,
 * which browsers read as `//`), control characters, and anything that resolves to another origin.
 * @throws AppAuthorizationError `return_to_refused`
 */
export function safeReturnTo(value: unknown, fallback = '/'): string {
  if (value === undefined || value === null || value === '') return fallback;
  const refuse = () =>
    new AppAuthorizationError(
      'return_to_refused',
      'returnTo must be a path on this site, such as "/dashboard" (open redirects are refused).',
    );
  if (typeof value !== 'string' || value.length > 2048) throw refuse();
  // eslint-disable-next-line no-control-regex
  if (!value.startsWith('/') || value.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(value))
    throw refuse();
  const base = 'http://return-to.invalid';
  const url = new URL(value, base);
  if (url.origin !== base) throw refuse();
  return `${url.pathname}${url.search}${url.hash}`;
}
