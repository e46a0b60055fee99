import { isLoopbackHost, redactUrlText } from '../support/url.js';
import { secret, type Secret } from '../support/secret.js';
import { ConfigError } from '../errors/index.js';
import { DEFAULT_SESSION_TTL_MS } from './app-authorization-session.js';
import type { AppAuthorizationOptions, ResolvedAppAuthorizationOptions } from './app-authorization.js';

/** HMAC-SHA256 keys shorter than this are guessable offline from one signed cookie. */
const MIN_COOKIE_SECRET_LENGTH = 32;

/**
 * Validates the `appAuthorization` option, naming the bad field. The redirect URI is kept exactly
 * as given, because Sentinel compares it as a string with the registered one.
 */
export function resolveAppAuthorizationOptions(
  c: AppAuthorizationOptions,
  field = 'appAuthorization',
): ResolvedAppAuthorizationOptions {
  if (!c || typeof c !== 'object') {
    throw new ConfigError(field, 'expected an object with clientId, clientSecret and redirectUri.');
  }
  const resolved: ResolvedAppAuthorizationOptions = {
    clientId: nonEmpty(`${field}.clientId`, c.clientId),
    clientSecret: secretOption(`${field}.clientSecret`, c.clientSecret),
    redirectUri: redirectUri(`${field}.redirectUri`, c.redirectUri),
    sessionTtlMs: DEFAULT_SESSION_TTL_MS,
  };
  if (c.scope !== undefined) resolved.scope = nonEmpty(`${field}.scope`, c.scope);
  if (c.cookieSecret !== undefined) {
    const cookieSecret = secretOption(`${field}.cookieSecret`, c.cookieSecret);
    if (cookieSecret.reveal().length < MIN_COOKIE_SECRET_LENGTH) {
      throw new ConfigError(
        `${field}.cookieSecret`,
        `must be at least ${MIN_COOKIE_SECRET_LENGTH} characters (random), e.g. from \`openssl rand -base64 32\`.`,
      );
    }
    resolved.cookieSecret = cookieSecret;
  }
  for (const key of ['sessionTtlMs', 'maxCachedSessions'] as const) {
    const value = c[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new ConfigError(`${field}.${key}`, 'must be a positive number.');
    }
    resolved[key] = value;
  }
  return resolved;
}

function nonEmpty(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(field, 'is required and must be a non-empty string.');
  }
  return value;
}

function secretOption(field: string, value: unknown): Secret {
  const isSecret =
    value !== null && typeof value === 'object' && typeof (value as Secret).reveal === 'function';
  const text = isSecret ? (value as Secret).reveal() : value;
  if (typeof text !== 'string' || text === '') {
    throw new ConfigError(
      field,
      `is required: a non-empty string (given: ${value === undefined ? 'nothing' : typeof value}).`,
    );
  }
  return isSecret ? (value as Secret) : secret(text);
}

function redirectUri(field: string, value: unknown): string {
  const text = nonEmpty(field, value);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(
      field,
      `"${redactUrlText(text)}" is not an absolute URL; give the redirect URI registered with LivePerson.`,
    );
  }
  if (url.hash || text.includes('#'))
    throw new ConfigError(field, 'must not contain a fragment (RFC 6749 §3.1.2).');
  if (url.username || url.password) throw new ConfigError(field, 'must not contain a user name or password.');
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new ConfigError(
      field,
      `plain http is refused for "${url.host}": codes and cookies would travel unencrypted. Use https.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(field, `unsupported protocol "${url.protocol}"; use https.`);
  }
  return text;
}
