import { REDACTED } from '../support/secret.js';

/** Header names whose whole value is a credential. */
const SECRET_HEADERS = ['authorization', 'x-lp-on-behalf', 'maven-api-key', 'proxy-authorization'];

/** Field names (form, JSON or query) whose values are credentials. */
const SECRET_FIELD = /secret|password|token|^code$|code_verifier|assertion|apikey|api_key|^key$|csrf/i;

/** Shorter values are not searched for: they would match ordinary text. */
const MIN_SECRET_LENGTH = 6;

/**
 * The secret values a request carries: credential headers (and the parts of a Bearer, Basic or
 * OAuth header), cookie values, and the values of secret-named fields in a form, a JSON object or
 * the query. Used only when an error body is kept, to remove what a server echoed back.
 */
export function secretsOfRequest(url: URL, init: RequestInit): string[] {
  const found = new Set<string>();
  const add = (value: string | undefined | null) => {
    if (value && value.length >= MIN_SECRET_LENGTH) found.add(value);
  };
  const headers = new Headers(init.headers);
  for (const name of SECRET_HEADERS) {
    const value = headers.get(name);
    if (!value) continue;
    add(value);
    const [scheme, rest] = splitOnce(value, ' ');
    add(rest);
    if (scheme.toLowerCase() === 'basic' && rest) {
      const decoded = Buffer.from(rest, 'base64').toString('utf8');
      add(decoded);
      const [user, password] = splitOnce(decoded, ':');
      add(password);
      add(user.length >= 12 ? user : undefined);
    }
    if (scheme.toLowerCase() === 'oauth' && rest) {
      for (const match of rest.matchAll(/(oauth_token|oauth_signature)="([^"]*)"/g))
        add(decodeSafe(match[2]!));
    }
  }
  for (const part of (headers.get('cookie') ?? '').split(';')) add(splitOnce(part.trim(), '=')[1]);
  for (const [key, value] of url.searchParams) if (SECRET_FIELD.test(key)) add(value);
  fieldsOf(init.body, headers.get('content-type'), add);
  // A server may echo a value form-encoded or JSON-escaped.
  for (const value of [...found]) {
    add(encodeURIComponent(value));
    add(JSON.stringify(value).slice(1, -1));
  }
  return [...found].sort((a, b) => b.length - a.length);
}

function fieldsOf(body: RequestInit['body'], contentType: string | null, add: (v: string) => void): void {
  if (body instanceof URLSearchParams) {
    for (const [key, value] of body) if (SECRET_FIELD.test(key)) add(value);
    return;
  }
  if (typeof body !== 'string' || body === '') return;
  if (/^\s*[{[]/.test(body)) {
    try {
      walkJson(JSON.parse(body) as unknown, add, 0);
      return;
    } catch {
      // Not JSON after all: try it as a form below.
    }
  }
  if (!contentType || /x-www-form-urlencoded/i.test(contentType)) {
    for (const [key, value] of new URLSearchParams(body)) if (SECRET_FIELD.test(key)) add(value);
  }
}

function walkJson(value: unknown, add: (v: string) => void, depth: number): void {
  if (depth > 4 || value === null || typeof value !== 'object') return;
  for (const [key, inner] of Object.entries(value)) {
    if (typeof inner === 'string' && SECRET_FIELD.test(key)) add(inner);
    else walkJson(inner, add, depth + 1);
  }
}

/** `text` with every occurrence of each secret replaced by `[REDACTED]` (longest first). */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.replaceAll(secret, REDACTED);
  return out;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + separator.length)];
}

function decodeSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
