import { AbortedError, NetworkError, TimeoutError } from '../errors.js';
import { redactUrl } from '../config/redact.js';
import { parseRetryAfter } from '../tokens/backoff.js';

/** The fetch function the library calls; defaults to the global one (undici). */
export type FetchFn = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * One HTTP exchange with a deadline. The caller's signal and the timeout are combined; failures
 * become typed errors ({@link TimeoutError}, {@link AbortedError}, {@link NetworkError}) whose
 * messages carry the redacted URL only.
 */
export async function sendOnce(
  fetchFn: FetchFn,
  url: URL,
  init: RequestInit,
  timeoutMs: number,
  callerSignal?: AbortSignal | null,
): Promise<Response> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
  const what = `${init.method ?? 'GET'} ${redactUrl(url)}`;
  try {
    return await fetchFn(url, { ...init, signal });
  } catch (error) {
    if (callerSignal?.aborted) throw new AbortedError(what, callerSignal.reason);
    if (timeout.aborted) throw new TimeoutError(what, timeoutMs);
    throw new NetworkError(what, error);
  }
}

/** Reads a response body for an error: parsed JSON when it is JSON, else text, at most 4 KiB. */
export async function readErrorBody(response: Response): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch {
    return undefined;
  }
  if (text === '') return undefined;
  const clipped = text.length > 4096 ? `${text.slice(0, 4096)}…` : text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return clipped;
  }
}

/** LivePerson's request id for a response, when it sent one. */
export function requestIdOf(response: Response): string | undefined {
  return response.headers.get('x-request-id') ?? response.headers.get('x-lp-request-id') ?? undefined;
}

/** Milliseconds from the response's `Retry-After`, if any. */
export function retryAfterOf(response: Response): number | undefined {
  return parseRetryAfter(response.headers.get('retry-after'));
}

/** True for the statuses a later attempt may not get: 408, 429 and 5xx except 501. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501);
}
