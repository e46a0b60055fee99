import { ConfigError } from '../errors/index.js';
import { REDACTED } from './secret.js';

const SHOWN_URL_LENGTH = 200;

/**
 * A URL option as it may appear in an error message, even when it does not parse: everything between
 * the scheme and the last `@` (a user name and password) and every query and fragment value replaced by
 * `[REDACTED]`, control characters dropped, cut to 200 characters. Over-redacting is the point: a
 * value that failed to parse cannot be trusted to say where its secrets are.
 *
 * @example
 * ```ts
 * redactUrlText('https://bot:hunter2@va.example:99999/x?key=abc'); // 'https://[REDACTED]@va.example:99999/x?key=[REDACTED]'
 * ```
 */
export function redactUrlText(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '');
  // The last `@` anywhere: a password may hold `?`, `#` or `/` that a parser would stop at.
  const authorityAt = /^[a-z][a-z0-9+.-]*:[/\\]+/i.exec(clean)?.[0].length ?? 0;
  const at = clean.lastIndexOf('@');
  const unnamed = at >= authorityAt ? `${clean.slice(0, authorityAt)}${REDACTED}${clean.slice(at)}` : clean;
  const queryAt = unnamed.search(/[?#]/);
  const shownHead = queryAt === -1 ? unnamed : unnamed.slice(0, queryAt);
  const shownTail = (queryAt === -1 ? '' : unnamed.slice(queryAt)).replace(
    /([?&#;][^=&#;]*=?)[^&#;]*/g,
    (_, key: string) => (key.endsWith('=') ? `${key}${REDACTED}` : `${key.slice(0, 1)}${REDACTED}`),
  );
  const shown = `${shownHead}${shownTail}`;
  return shown.length > SHOWN_URL_LENGTH ? `${shown.slice(0, SHOWN_URL_LENGTH)}…` : shown;
}

/** True for host names that can only mean this machine: 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  // Only names that cannot leave this machine: `*.localhost` resolves through DNS on many systems.
  if (host === 'localhost') return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  return /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * Parses a base URL option. A bare host (`va.agentvep.liveperson.net`) means https. Plain http is
 * allowed only for loopback hosts (the emulator, a local proxy): anywhere else it would send tokens
 * in clear text. Returns the origin plus path without a trailing slash.
 */
export function parseBaseUrl(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(field, 'expected a URL such as "https://api.liveperson.net" or a host name.');
  }
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value.trim() : `https://${value.trim()}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(field, `"${redactUrlText(value)}" is not a valid URL.`);
  }
  if (url.username || url.password) {
    throw new ConfigError(field, 'the URL must not contain a user name or password.');
  }
  if (url.search || url.hash) {
    throw new ConfigError(field, 'the URL must not contain a query string or fragment.');
  }
  if (url.protocol === 'http:') {
    if (!isLoopbackHost(url.hostname)) {
      throw new ConfigError(
        field,
        `plain http is refused for "${url.host}": it would send LivePerson credentials unencrypted. ` +
          'Use https, or http only for a loopback host such as 127.0.0.1 (the emulator).',
      );
    }
  } else if (url.protocol !== 'https:') {
    throw new ConfigError(field, `unsupported protocol "${url.protocol}"; use https.`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
