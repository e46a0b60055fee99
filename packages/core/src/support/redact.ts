import { REDACTED } from './secret.js';

/** Query parameters whose values are credentials and never reach a log or an error. */
const SECRET_QUERY_PARAMS = new Set([
  'access_token',
  'accesstoken',
  'token',
  'id_token',
  'refresh_token',
  'client_secret',
  'code',
  'password',
  'secret',
  'apikey',
  'api_key',
  'oauth_signature',
]);

/**
 * The URL with every credential-bearing query value replaced by `[REDACTED]` and any userinfo removed.
 * Used for every URL that reaches a log line or an error message.
 */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return '[unparseable URL]';
  }
  if (parsed.username || parsed.password) {
    parsed.username = '';
    parsed.password = '';
  }
  let changed = false;
  const params = [...parsed.searchParams].map(([key, value]): [string, string] => {
    if (!SECRET_QUERY_PARAMS.has(key.toLowerCase())) return [key, value];
    changed = true;
    return [key, REDACTED];
  });
  if (changed) parsed.search = new URLSearchParams(params).toString();
  const text = parsed.toString();
  // URLSearchParams encodes the brackets; show the marker as people will search for it.
  return changed ? text.replaceAll(encodeURIComponent(REDACTED), REDACTED) : text;
}

/** Header names whose values are credentials. */
export const SECRET_HEADERS = new Set([
  'authorization',
  'x-lp-on-behalf',
  'maven-api-key',
  'cookie',
  'set-cookie',
]);

/** Headers as a plain object with credential values redacted, for debug logging. */
export function redactHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, key) => {
    out[key] = SECRET_HEADERS.has(key.toLowerCase()) ? REDACTED : value;
  });
  return out;
}
