import { CredentialsRejectedError, TokenRequestError } from '../errors.js';
import { redactUrl } from '../config/redact.js';
import { isRetryableStatus, readErrorBody, requestIdOf, retryAfterOf, sendOnce } from '../http/send.js';
import type { CredentialRuntime } from './credential.js';

export interface TokenEndpointResponse {
  /** Parsed JSON, or the text when the body was not JSON. */
  body: unknown;
  response: Response;
}

/**
 * One call to a flow's token endpoint, with failures sorted for the token engine: 401/403 mean the
 * configured credentials are wrong ({@link CredentialsRejectedError}, never retried); 408, 429 and 5xx
 * and an unreadable success body are retryable; other statuses are not. Messages hold the redacted URL.
 */
export async function callTokenEndpoint(
  runtime: CredentialRuntime,
  credential: string,
  url: URL,
  init: RequestInit,
  signal?: AbortSignal,
): Promise<TokenEndpointResponse> {
  const method = init.method ?? 'POST';
  const shownUrl = redactUrl(url);
  const response = await sendOnce(runtime.fetch, url, { ...init, method }, runtime.timeoutMs, signal);
  const requestId = requestIdOf(response);
  if (!response.ok) {
    const body = await readErrorBody(response);
    const details = { status: response.status, method, url: shownUrl, body, requestId };
    if (response.status === 401 || response.status === 403) {
      throw new CredentialsRejectedError(
        credential,
        `LivePerson rejected the configured credentials (${response.status} from ${method} ${shownUrl}). Check them.`,
        details,
      );
    }
    const retryable = isRetryableStatus(response.status);
    throw new TokenRequestError(credential, `token endpoint answered ${response.status}`, {
      ...details,
      retryable,
      retryAfterMs: retryAfterOf(response),
    });
  }
  // A reset or a stall mid-body is a typed, retryable failure (NetworkError, TimeoutError).
  const text = await response.text();
  let body: unknown = text;
  if (/json/i.test(response.headers.get('content-type') ?? '') || /^\s*[{[]/.test(text)) {
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      throw new TokenRequestError(credential, 'token endpoint answered 2xx with malformed JSON', {
        status: response.status,
        method,
        url: shownUrl,
        requestId,
        retryable: true,
      });
    }
  }
  return { body, response };
}

/** Throws a retryable error saying the token response lacked what it needs. */
export function malformedTokenResponse(credential: string, url: URL, what: string): never {
  throw new TokenRequestError(credential, `token endpoint answered without ${what}`, {
    url: redactUrl(url),
    retryable: true,
  });
}

/** The `exp` claim of a JWT in epoch milliseconds, read without verification (for expiry only). */
export function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' && Number.isFinite(claims.exp) ? claims.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** `expires_in` as LivePerson sends it: a number, a numeric string, or absent. Seconds. */
export function parseExpiresIn(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d+$/.test(value.trim())
        ? Number(value)
        : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}
