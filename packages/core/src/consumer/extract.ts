import { ConsumerTokenError } from '../errors/index.js';

/**
 * The parts of an HTTP request a bearer token can travel in, as plain values, so that every
 * framework can hand them over without the core knowing the framework.
 */
export interface BearerRequestParts {
  /**
   * Request headers, names in lower case. `authorization` may be an array when the request
   * repeated the header (Node keeps only the first; adapters pass every one from `rawHeaders`).
   */
  headers: Record<string, string | readonly string[] | undefined>;
  /** The parsed query string. */
  query?: Record<string, unknown>;
  /** The parsed body; read only when it was `application/x-www-form-urlencoded`. */
  body?: unknown;
  /** The request method (a form body is never read on GET, RFC 6750 §2.2). */
  method?: string;
  /** Parsed cookies, when the framework has them; otherwise the `cookie` header is read. */
  cookies?: Record<string, string | undefined>;
}

/** Where tokens are accepted besides `Authorization: Bearer`. */
export interface TokenLocations {
  /** Accept `access_token` in the query (RFC 6750 §2.3; it ends up in logs). Default false. */
  query?: boolean;
  /** Accept `access_token` in a form-encoded body (RFC 6750 §2.2). Default false. */
  body?: boolean;
  /** Accept the token in this cookie. Default: no cookie. */
  cookie?: string;
}

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
// The scheme is case-insensitive (RFC 9110 §11.1), spelled out rather than with the `i` flag: a
// case-insensitive pattern tested each of the token's ~1,000 characters at about twice the cost.
const BEARER = /^[Bb][Ee][Aa][Rr][Ee][Rr] +([A-Za-z0-9\-._~+/]+=*) *$/;
const BEARER_SCHEME = /^Bearer(?: |$)/i;

/**
 * The bearer token of a request, per RFC 6750 §2: the `Authorization: Bearer` header, and the
 * form body, query and cookie only when enabled. Returns undefined when the request carries none.
 *
 * @throws ConsumerTokenError `invalid_request` (400) when the request is malformed: a token in
 *   two places or twice, a token in the query or body when those are not enabled, or a `Bearer`
 *   header whose value is not a token.
 *
 * @example
 * ```ts
 * const token = extractBearerToken({ headers: req.headers, query: req.query }, { query: false });
 * ```
 */
export function extractBearerToken(
  request: BearerRequestParts,
  locations: TokenLocations = {},
  verifiedBefore?: (token: string) => boolean,
): string | undefined {
  // The first token found and how many were: no array per request (the common case is one).
  let token: string | undefined;
  let count = 0;
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string') {
    token = bearerOf(authorization, verifiedBefore);
    if (token !== undefined) count = 1;
  } else if (authorization !== undefined) {
    for (const value of authorization) {
      const found = bearerOf(value, verifiedBefore);
      if (found !== undefined && count++ === 0) token = found;
    }
  }
  const inQuery = request.query?.access_token;
  if (inQuery !== undefined) {
    if (!locations.query) {
      throw new ConsumerTokenError(
        'token_location_not_allowed',
        'A token was sent in the query string, which this server does not accept; send it in the Authorization header.',
      );
    }
    const found = tokenValue(inQuery);
    if (count++ === 0) token = found;
  }
  const form = formBody(request);
  if (form && form.access_token !== undefined) {
    if (!locations.body) {
      throw new ConsumerTokenError(
        'token_location_not_allowed',
        'A token was sent in the request body, which this server does not accept; send it in the Authorization header.',
      );
    }
    const found = tokenValue(form.access_token);
    if (count++ === 0) token = found;
  }
  if (locations.cookie) {
    const cookies = request.cookies;
    const cookie = cookies ? cookies[locations.cookie] : readCookie(request.headers.cookie, locations.cookie);
    if (cookie !== undefined && cookie !== '' && count++ === 0) token = cookie;
  }
  if (count > 1) {
    throw new ConsumerTokenError(
      'multiple_tokens',
      'The request carries more than one token; RFC 6750 allows exactly one method per request.',
    );
  }
  return token;
}

/** The token of an `Authorization` value of the Bearer scheme; undefined for another scheme (Basic, …). */
function bearerOf(value: string, verifiedBefore?: (token: string) => boolean): string | undefined {
  // `Bearer ` and then exactly a token the verifier has verified lately: what the checks below would
  // make of it, without their pass over the ~1,000 characters (the regex was the largest single cost
  // of a cached token's request). A verified token is base64url and dots, all b64token characters,
  // so BEARER matches such a header whole and captures that token; any other spelling (`bearer`,
  // two spaces, a trailing space, an unknown token) takes the checks.
  if (verifiedBefore !== undefined && value.startsWith('Bearer ')) {
    const token = value.slice(7);
    if (verifiedBefore(token)) return token;
  }
  if (!BEARER_SCHEME.test(value.trimStart())) return undefined;
  const match = BEARER.exec(value.trim());
  if (!match) {
    throw new ConsumerTokenError(
      'malformed_authorization',
      'The Authorization header uses the Bearer scheme but does not carry exactly one token.',
    );
  }
  return match[1]!;
}

function tokenValue(value: unknown): string {
  if (Array.isArray(value)) {
    throw new ConsumerTokenError('multiple_tokens', 'The request carries "access_token" more than once.');
  }
  if (typeof value !== 'string' || value === '') {
    throw new ConsumerTokenError(
      'malformed_authorization',
      'The "access_token" parameter is empty or not a string.',
    );
  }
  return value;
}

function formBody(request: BearerRequestParts): Record<string, unknown> | undefined {
  const method = request.method;
  if (method === undefined || method === 'GET' || method.toUpperCase() === 'GET') return undefined;
  const type = request.headers['content-type'];
  if (typeof type !== 'string' || !/^application\/x-www-form-urlencoded\b/i.test(type)) return undefined;
  const body = request.body;
  if (typeof body === 'string') return Object.fromEntries(groupParams(new URLSearchParams(body)));
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
}

function groupParams(params: URLSearchParams): Map<string, string | string[]> {
  const out = new Map<string, string | string[]>();
  for (const [key, value] of params) {
    const prior = out.get(key);
    out.set(key, prior === undefined ? value : ([] as string[]).concat(prior, value));
  }
  return out;
}

function readCookie(header: string | readonly string[] | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  const text = typeof header === 'string' ? header : header.join('; ');
  let value: string | undefined;
  for (const pair of text.split(';')) {
    const index = pair.indexOf('=');
    if (index < 0 || pair.slice(0, index).trim() !== name) continue;
    if (value !== undefined) {
      throw new ConsumerTokenError('multiple_tokens', `The cookie "${name}" is sent more than once.`);
    }
    value = pair.slice(index + 1).trim();
  }
  return value;
}
