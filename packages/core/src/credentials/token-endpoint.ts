import { CredentialsRejectedError, TokenRequestError } from '../errors/index.js';
import { redactUrl } from '../support/redact.js';
import { isRetryableStatus, readErrorBody, requestIdOf, retryAfterOf, sendOnce } from '../http/send.js';
import type { CredentialRuntime } from './credential.js';
import { tokenLifetime, type TokenLifetimeInput } from '../tokens/lifetime.js';

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

/**
 * The expiry of a token a flow just received, by the one set of rules every flow shares
 * (`tokenLifetime`: stated lifetime, JWT `exp`, default, 24 h cap); an odd answer is logged as a
 * warning naming the credential.
 */
export function tokenExpiry(
  runtime: Pick<CredentialRuntime, 'now' | 'logger'>,
  credential: string,
  input: Omit<TokenLifetimeInput, 'now'>,
): number {
  const lifetime = tokenLifetime({ ...input, now: runtime.now() });
  if (lifetime.warning) runtime.logger.warn(`${credential}: ${lifetime.warning}`);
  return lifetime.expiresAt;
}
