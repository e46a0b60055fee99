import { ConfigError } from '../errors.js';

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
    throw new ConfigError(field, `"${value}" is not a valid URL.`);
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
