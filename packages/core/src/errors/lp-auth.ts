/**
 * Every error `@lp-auth` throws is an {@link LpAuthError} with a stable, lowercase `code` that programs
 * can switch on, and a message a person can act on. No error ever carries a secret: messages, `details`
 * and `toJSON()` are built from redacted values only.
 *
 * @example
 * ```ts
 * try {
 *   await lp.clients.appJwt.request({ service: 'accountConfigReadOnly', path: '/api/account/{accountId}/configuration/le-users/skills' });
 * } catch (e) {
 *   if (e instanceof LpApiError && e.status === 404) { ... }
 *   if (isLpAuthError(e, 'retry_budget_exceeded')) { ... }
 * }
 * ```
 *
 * @module
 */

/** The stable codes of the errors that are not about a consumer token. */
export type LpAuthErrorCode =
  | 'config_invalid'
  | 'domain_not_found'
  | 'csds_unavailable'
  | 'token_request_failed'
  | 'credentials_rejected'
  | 'retry_budget_exceeded'
  | 'api_error'
  | 'timeout'
  | 'network_error'
  | 'redirect_refused'
  | 'response_too_large'
  | 'aborted'
  | 'closed'
  | (string & {});

export interface LpAuthErrorOptions {
  cause?: unknown;
  /** HTTP status this error maps to when an adapter turns it into a response. */
  httpStatus?: number;
}

/**
 * The brand every {@link LpAuthError} carries, under a registered symbol: the same in every copy of
 * `@lp-auth/core` an app loads, where `instanceof` is not.
 */
const LP_AUTH_ERROR = Symbol.for('@lp-auth/core.LpAuthError');

/**
 * Base class of every error the library throws. Recognise one with {@link isLpAuthError} (works
 * across copies of the core); `instanceof` is fine in code that sees a single copy.
 */
export class LpAuthError extends Error {
  /** A stable, lowercase identifier, e.g. `config_invalid`. */
  readonly code: LpAuthErrorCode;
  /** The HTTP status an adapter answers with when this error escapes a route. */
  readonly httpStatus: number;

  constructor(code: LpAuthErrorCode, message: string, options: LpAuthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.httpStatus = options.httpStatus ?? 500;
  }

  /** A JSON body safe to send to a client or a log: code and message, never a secret. */
  toJSON(): Record<string, unknown> {
    return { error: this.code, message: this.message };
  }
}
Object.defineProperty(LpAuthError.prototype, LP_AUTH_ERROR, { value: true });

/** Options are missing or malformed. Thrown at start-up by `createLpAuth`; `field` names the culprit. */
export class ConfigError extends LpAuthError {
  /** Dotted path of the offending option, e.g. `credentials.appJwt.clientId`, or the env variable. */
  readonly field: string;
  constructor(field: string, message: string) {
    super('config_invalid', `Invalid @lp-auth option "${field}": ${message}`, { httpStatus: 500 });
    this.field = field;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), field: this.field };
  }
}

/** CSDS does not list the service for the account (a typo, or a service the account lacks). */
export class DomainNotFoundError extends LpAuthError {
  readonly service: string;
  readonly accountId: string;
  constructor(service: string, accountId: string, known: readonly string[]) {
    const hint = known.length
      ? ` Known services: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', …' : ''}. Service names are case-sensitive.`
      : '';
    super(
      'domain_not_found',
      `LivePerson's domain API (CSDS) lists no service "${service}" for account ${accountId}.${hint}`,
      { httpStatus: 502 },
    );
    this.service = service;
    this.accountId = accountId;
  }
}

/** CSDS could not be reached or answered badly, and no usable cached answer was left. */
export class CsdsUnavailableError extends LpAuthError {
  readonly accountId: string;
  /** Set when this is a remembered failure: milliseconds until CSDS is asked again. */
  readonly retryAfterMs?: number;
  constructor(accountId: string, message: string, cause?: unknown, retryAfterMs?: number) {
    super('csds_unavailable', `Could not resolve LivePerson domains for account ${accountId}: ${message}`, {
      cause,
      httpStatus: 502,
    });
    this.accountId = accountId;
    if (retryAfterMs !== undefined) this.retryAfterMs = retryAfterMs;
  }
}

/** What a failed HTTP exchange with LivePerson looked like, secrets removed. */
export interface HttpFailureDetails {
  /** HTTP status, or undefined when no response arrived. */
  status?: number;
  /** The method and redacted URL of the request. */
  method?: string;
  url?: string;
  /** LivePerson's error body (parsed JSON when it was JSON, else text, truncated). */
  body?: unknown;
  /** The request id from the response (`x-request-id`), or the one we sent. */
  requestId?: string;
  /** Milliseconds the server asked us to wait (`Retry-After`). */
  retryAfterMs?: number;
}

/** A token endpoint (Sentinel, Login, Orchestrator) failed in a way worth retrying, or not. */
export class TokenRequestError extends LpAuthError implements HttpFailureDetails {
  readonly credential: string;
  readonly status?: number;
  readonly method?: string;
  readonly url?: string;
  readonly body?: unknown;
  readonly requestId?: string;
  readonly retryAfterMs?: number;
  /** Whether trying again later could succeed (5xx, 429, network). */
  readonly retryable: boolean;
  constructor(
    credential: string,
    message: string,
    details: HttpFailureDetails & { retryable: boolean; cause?: unknown },
  ) {
    super('token_request_failed', `${credential}: ${message}`, { cause: details.cause, httpStatus: 502 });
    this.credential = credential;
    this.status = details.status;
    this.method = details.method;
    this.url = details.url;
    this.body = details.body;
    this.requestId = details.requestId;
    this.retryAfterMs = details.retryAfterMs;
    this.retryable = details.retryable;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), status: this.status, requestId: this.requestId };
  }
}

/** LivePerson refused the configured credentials themselves (wrong client secret, key, password). */
export class CredentialsRejectedError extends LpAuthError {
  readonly credential: string;
  readonly status?: number;
  readonly body?: unknown;
  readonly requestId?: string;
  /**
   * Set while the credential is backing off after a refusal: milliseconds until the library asks
   * LivePerson again. Calls before then fail at once with this error, without an upstream call.
   */
  readonly retryAfterMs?: number;
  constructor(credential: string, message: string, details: HttpFailureDetails = {}) {
    super('credentials_rejected', `${credential}: ${message}`, { httpStatus: 502 });
    this.credential = credential;
    this.status = details.status;
    this.body = details.body;
    this.requestId = details.requestId;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** Retries were spent without success; `cause` is the last failure. */
export class RetryBudgetExceededError extends LpAuthError {
  readonly attempts: number;
  constructor(what: string, attempts: number, cause: unknown) {
    const last = cause instanceof Error ? ` Last error: ${cause.message}` : '';
    super('retry_budget_exceeded', `${what} failed after ${attempts} attempt(s).${last}`, {
      cause,
      httpStatus: 503,
    });
    this.attempts = attempts;
  }
}

/**
 * A LivePerson API answered 2xx with a body that says it is JSON but does not parse (cut off in
 * transit, or an HTML error page served as JSON). Idempotent requests are tried once more first.
 */
export class InvalidResponseError extends LpAuthError {
  readonly status: number;
  readonly method: string;
  readonly url: string;
  readonly requestId?: string;
  constructor(details: { status: number; method: string; url: string; requestId?: string }) {
    super(
      'invalid_response',
      `LivePerson answered ${details.status} to ${details.method} ${details.url} with a body that is not valid JSON`,
      { httpStatus: 502 },
    );
    this.status = details.status;
    this.method = details.method;
    this.url = details.url;
    this.requestId = details.requestId;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), status: this.status, requestId: this.requestId };
  }
}

/** A LivePerson API answered with a non-success status. */
export class LpApiError extends LpAuthError implements HttpFailureDetails {
  readonly status: number;
  readonly method: string;
  readonly url: string;
  readonly body?: unknown;
  readonly requestId?: string;
  readonly retryAfterMs?: number;
  constructor(details: HttpFailureDetails & { status: number; method: string; url: string }) {
    super('api_error', `LivePerson answered ${details.status} to ${details.method} ${details.url}`, {
      httpStatus: 502,
    });
    this.status = details.status;
    this.method = details.method;
    this.url = details.url;
    this.body = details.body;
    this.requestId = details.requestId;
    this.retryAfterMs = details.retryAfterMs;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), status: this.status, requestId: this.requestId };
  }
}

/** A request did not complete within its timeout. */
export class TimeoutError extends LpAuthError {
  readonly timeoutMs: number;
  constructor(what: string, timeoutMs: number) {
    super('timeout', `${what} timed out after ${timeoutMs} ms`, { httpStatus: 504 });
    this.timeoutMs = timeoutMs;
  }
}

/** The connection failed (refused, reset, DNS) before a response arrived. */
export class NetworkError extends LpAuthError {
  constructor(what: string, cause: unknown) {
    // Duck-typed: undici's errors may come from another realm (a vm context), where instanceof fails.
    const reason =
      cause !== null && typeof cause === 'object' && 'message' in cause
        ? (describeNetworkCause(cause) ?? String(cause.message))
        : String(cause);
    super('network_error', `${what} failed: ${reason}`, { cause, httpStatus: 502 });
  }
}

/**
 * LivePerson (or an identity provider) answered with a redirect that the library will not follow:
 * to another origin, from https to http, or on a request that carries a credential. Following it
 * would hand the credential (a header, a form field, a Basic password) to whoever the `Location`
 * names, so no redirect is followed where a credential rides along.
 */
export class RedirectRefusedError extends LpAuthError {
  readonly status: number;
  /** The origin the redirect pointed to (no path or query, which may carry secrets). */
  readonly locationOrigin: string;
  constructor(what: string, status: number, locationOrigin: string, reason: string) {
    super(
      'redirect_refused',
      `${what} answered ${status} redirecting to ${locationOrigin}; not followed: ${reason}. ` +
        'Configure the final URL instead, or check that CSDS and the configured URLs point at LivePerson.',
      { httpStatus: 502 },
    );
    this.status = status;
    this.locationOrigin = locationOrigin;
  }
}

/** A response body was larger than the limit for its kind of call; reading stopped at the limit. */
export class ResponseTooLargeError extends LpAuthError {
  readonly limitBytes: number;
  constructor(what: string, limitBytes: number) {
    super(
      'response_too_large',
      `${what} answered a body larger than ${limitBytes} bytes; reading stopped there.` +
        ' Raise the limit (http.maxResponseBytes for API calls) if the answer is legitimately this large.',
      { httpStatus: 502 },
    );
    this.limitBytes = limitBytes;
  }
}

/** The caller's own AbortSignal fired. */
export class AbortedError extends LpAuthError {
  constructor(what: string, cause?: unknown) {
    super('aborted', `${what} was aborted by the caller`, { cause, httpStatus: 499 });
  }
}

/** The LpAuth instance (or a client) was closed and cannot be used any more. */
export class ClosedError extends LpAuthError {
  constructor(what: string) {
    super('closed', `${what} is closed`, { httpStatus: 503 });
  }
}

/** LivePerson refused the login with 451: the user or address is blocked. Not retried. */
export class LoginBlockedError extends LpAuthError {
  readonly status = 451;
  readonly body?: unknown;
  constructor(body: unknown) {
    super(
      'login_blocked',
      'login: LivePerson answered 451 (blacklisted): this user or address is blocked from logging in. ' +
        'Ask LivePerson support; retrying will not help.',
      { httpStatus: 502 },
    );
    this.body = body;
  }
}

/** A call refused before sending: the endpoint's remembered `Retry-After` has not passed yet. */
export class RetryAfterPendingError extends LpApiError {
  constructor(method: string, url: string, status: number, remainingMs: number) {
    super({ status, method, url, retryAfterMs: remainingMs });
    this.message =
      `${method} ${url} answered ${status} with a Retry-After that has not passed; ` +
      `no request was sent. Next attempt in ${Math.ceil(remainingMs / 1000)} s.`;
  }
}

/**
 * True when `e` is an LpAuthError, optionally with the given code. It reads the error's brand, not
 * its class, so an error thrown by another copy of `@lp-auth/core` in the same app counts too.
 */
export function isLpAuthError(e: unknown, code?: LpAuthErrorCode): e is LpAuthError {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as { [LP_AUTH_ERROR]?: unknown })[LP_AUTH_ERROR] === true &&
    (code === undefined || (e as LpAuthError).code === code)
  );
}

function describeNetworkCause(error: object): string | undefined {
  // undici's fetch wraps the socket error: "fetch failed" with cause { code: 'ECONNREFUSED' | 'UND_ERR_SOCKET' … };
  // its dispatcher API (`request()`) throws that error itself.
  const inner = (error as { cause?: unknown }).cause;
  if (!inner || typeof inner !== 'object') {
    const own = (error as { code?: unknown }).code;
    const message = String((error as { message?: unknown }).message ?? '');
    if (typeof own !== 'string' || own === '') return undefined;
    return message && !message.includes(own) ? `${own} (${message})` : message || own;
  }
  const message = 'message' in inner ? String(inner.message) : '';
  if ('code' in inner) {
    const code = String((inner as { code: unknown }).code);
    return message ? `${code} (${message})` : code;
  }
  // Some refusals carry no code: fetch's own "bad port" for ports it never dials (9, 25, 6000, …).
  return message ? `${String((error as { message?: unknown }).message)}: ${message}` : undefined;
}
