import { NetworkError, RedirectRefusedError, ResponseTooLargeError, TimeoutError } from '../errors/index.js';
import { redactUrl } from '../support/redact.js';
import { parseRetryAfter } from './backoff.js';
import { Deadline } from './deadline.js';
import type { HeaderReader, PlainHeaders } from './plain-headers.js';
import { redactSecrets, secretsOfRequest } from './request-secrets.js';

/** The fetch function the library calls; defaults to the global one (undici). */
export type FetchFn = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * Bodies of token endpoints, CSDS, the Login Service and key sets are small (a few KiB); 1 MiB
 * leaves room for a large Login answer (`accountData`, every CSDS domain) and stops a flood early.
 */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** What an error keeps of a failed answer's body: enough to read LivePerson's message, no more. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** Same-origin hops followed where following is allowed at all (key sets and discovery). */
const MAX_REDIRECTS = 3;

/** How one exchange treats its answer. */
export interface SendLimits {
  /** The largest body read, in bytes; a larger one fails with {@link ResponseTooLargeError}. */
  maxBodyBytes?: number;
  /**
   * `refuse` (the default, for every request that carries a credential): any redirect is a
   * {@link RedirectRefusedError}. `same-origin` (public documents only: key sets, discovery): up to
   * three GET hops that stay on the same origin are followed; another origin or a downgrade to http
   * is refused.
   */
  redirects?: 'refuse' | 'same-origin';
}

/** The request behind a response, kept so that an error body can be cleaned of the secrets it echoes. */
const requests = new WeakMap<Response, { url: URL; init: RequestInit }>();

/**
 * One HTTP exchange, headers and body, within `timeoutMs`. The deadline is a timer of our own,
 * cleared when the body is read to its end, cancelled or failed (an `AbortSignal.timeout()` merged
 * with the caller's signal by `AbortSignal.any` can be collected with the request still pending, and
 * the read then hangs for ever). The caller's signal ends the exchange too. Failures are typed:
 * {@link TimeoutError}, {@link AbortedError}, {@link NetworkError} (resets mid-body included),
 * {@link RedirectRefusedError}, {@link ResponseTooLargeError}; messages carry the redacted URL only.
 *
 * The answer's body streams through a guard that counts bytes and keeps the deadline, so reading
 * it with `text()`, `json()` or a reader is bounded in time and size.
 */
export async function sendOnce(
  fetchFn: FetchFn,
  url: URL,
  init: RequestInit,
  timeoutMs: number,
  callerSignal?: AbortSignal | null,
  limits: SendLimits = {},
): Promise<Response> {
  const { response, deadline } = await open(fetchFn, url, init, timeoutMs, callerSignal, limits.redirects);
  try {
    return guard(response, deadline, limits.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, url, init);
  } catch (error) {
    deadline.clear();
    throw error;
  }
}

/**
 * The answer of `request()`, read inside its attempt: the whole body of a 2xx, the clipped error
 * body (secrets the request carried removed) otherwise.
 */
export interface Answer {
  ok: boolean;
  status: number;
  /** The response's `Headers` (fetch transport) or undici's plain object behind a reader (undici transport). */
  headers: Headers | PlainHeaders;
  text: string;
  /** What an error keeps of a failed answer's body (clipped, secrets removed). */
  errorBody: unknown;
}

/**
 * One exchange as {@link sendOnce}, with its body read at once within the same deadline and byte
 * limit: the authorized client's `request()` path, which needs no guarding stream, no second
 * `Response` and no table from response to deadline.
 */
export async function sendAndRead(
  fetchFn: FetchFn,
  url: URL,
  init: RequestInit,
  timeoutMs: number,
  callerSignal: AbortSignal | null | undefined,
  maxBytes: number,
): Promise<Answer> {
  const { response, deadline } = await open(fetchFn, url, init, timeoutMs, callerSignal, 'refuse');
  const { ok, status, headers } = response;
  try {
    const declared = Number(headers.get('content-length'));
    if (Number.isFinite(declared) && declared > maxBytes) {
      deadline.abort();
      throw new ResponseTooLargeError(deadline.what, maxBytes);
    }
    if (!ok) {
      const raw = await readErrorText(response);
      return { ok, status, headers, text: raw.text, errorBody: errorBodyOf(raw, { url, init }) };
    }
    if (response.body === null) return { ok, status, headers, text: '', errorBody: undefined };
    return {
      ok,
      status,
      headers,
      text: await readWhole(response.body, deadline, maxBytes),
      errorBody: undefined,
    };
  } finally {
    deadline.clear();
  }
}

/** Sends, refusing or following redirects as `policy` says; the deadline runs on for the body. */
async function open(
  fetchFn: FetchFn,
  url: URL,
  init: RequestInit,
  timeoutMs: number,
  callerSignal: AbortSignal | null | undefined,
  policy: 'refuse' | 'same-origin' = 'refuse',
): Promise<{ response: Response; deadline: Deadline }> {
  const method = (init.method ?? 'GET').toUpperCase();
  const deadline = new Deadline(() => `${method} ${redactUrl(url)}`, timeoutMs, callerSignal ?? undefined);
  try {
    let current = url;
    for (let hop = 0; ; hop++) {
      let response: Response;
      try {
        response = await fetchFn(current, { ...init, redirect: 'manual', signal: deadline.signal });
      } catch (error) {
        throw deadline.failure(error);
      }
      const next = redirectTarget(response, current);
      if (!next) return { response, deadline };
      await response.body?.cancel().catch(() => undefined);
      const refusal = redirectRefusal(current, next, method, policy, hop);
      if (refusal) {
        throw new RedirectRefusedError(deadline.what, response.status, safeOrigin(next), refusal);
      }
      current = next;
    }
  } catch (error) {
    deadline.clear();
    throw error;
  }
}

/** The `Location` of a redirect, resolved against the request URL; undefined when not a redirect. */
function redirectTarget(response: { status: number; headers: HeaderReader }, from: URL): URL | undefined {
  if (![301, 302, 303, 307, 308].includes(response.status)) return undefined;
  const location = response.headers.get('location');
  if (location === null) return undefined;
  try {
    return new URL(location, from);
  } catch {
    return new URL('invalid:');
  }
}

/** Why a redirect is not followed, or undefined when it may be. */
function redirectRefusal(
  from: URL,
  to: URL,
  method: string,
  policy: 'refuse' | 'same-origin',
  hop: number,
): string | undefined {
  if (to.protocol !== 'https:' && to.protocol !== 'http:') return 'not an http(s) URL';
  if (from.protocol === 'https:' && to.protocol === 'http:') return 'it downgrades https to http';
  if (to.origin !== from.origin) return 'it leaves the origin that CSDS or the configuration named';
  if (policy === 'refuse')
    return 'this request carries a credential and LivePerson is not documented to redirect it';
  if (method !== 'GET' && method !== 'HEAD') return `only GET is followed, this is ${method}`;
  if (hop + 1 > MAX_REDIRECTS) return `more than ${MAX_REDIRECTS} redirects`;
  return undefined;
}

/**
 * The refusal of a redirect answered to a request that carries a credential (every `request()`
 * exchange), or undefined when the answer is no redirect: for a transport that reads the answer
 * without a `Response`.
 */
export function refusedRedirect(
  what: string | (() => string),
  answer: { status: number; headers: HeaderReader },
  from: URL,
  method: string,
): RedirectRefusedError | undefined {
  const next = redirectTarget(answer, from);
  if (!next) return undefined;
  const reason = redirectRefusal(from, next, method, 'refuse', 0) ?? 'redirects are refused';
  const named = typeof what === 'function' ? what() : what;
  return new RedirectRefusedError(named, answer.status, safeOrigin(next), reason);
}

function safeOrigin(url: URL): string {
  return url.protocol === 'https:' || url.protocol === 'http:'
    ? url.origin
    : `a ${url.protocol || 'malformed'} URL`;
}

/** Null-body statuses: `new Response` refuses a body for them, and there is nothing to guard. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * The response with its body behind the deadline and the byte limit. The deadline is cleared once
 * the body ends, fails or is cancelled; a body nobody reads is ended by the deadline itself.
 */
function guard(
  response: Response,
  deadline: Deadline,
  maxBytes: number,
  url: URL,
  init: RequestInit,
): Response {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    deadline.abort();
    throw new ResponseTooLargeError(deadline.what, maxBytes);
  }
  if (response.body === null || NULL_BODY.has(response.status)) {
    deadline.clear();
    requests.set(response, { url, init });
    return response;
  }
  const reader = response.body.getReader();
  let received = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await reader.read();
        } catch (error) {
          controller.error(deadline.failure(error));
          deadline.clear();
          return;
        }
        if (chunk.done) {
          deadline.clear();
          controller.close();
          return;
        }
        received += chunk.value.byteLength;
        if (received > maxBytes) {
          const error = new ResponseTooLargeError(deadline.what, maxBytes);
          deadline.abort();
          reader.cancel(error).catch(() => undefined);
          controller.error(error);
          return;
        }
        controller.enqueue(chunk.value);
      },
      cancel(reason) {
        deadline.clear();
        return reader.cancel(reason).catch(() => undefined);
      },
    },
    { highWaterMark: 0 },
  );
  const guarded = new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  requests.set(guarded, { url, init });
  return guarded;
}

/** A body read as far as it was allowed, for an error: its text, and whether it was cut. */
export interface ErrorBodyText {
  text: string;
  clipped: boolean;
}

/**
 * Reads at most {@link MAX_ERROR_BODY_BYTES} of a failed answer and cancels the rest. A body that
 * fails half-way (reset, deadline) gives what had arrived.
 */
export async function readErrorText(response: Response): Promise<ErrorBodyText> {
  if (!response.body) return { text: '', clipped: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let clipped = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
      if (size > MAX_ERROR_BODY_BYTES) {
        clipped = true;
        break;
      }
    }
  } catch {
    // What arrived before the failure is still worth showing.
  } finally {
    reader.cancel().catch(() => undefined);
  }
  const bytes = Buffer.concat(chunks, size).subarray(0, MAX_ERROR_BODY_BYTES);
  return { text: bytes.toString('utf8'), clipped };
}

/** The whole body as text, within the exchange's deadline and byte limit (typed failures). */
async function readWhole(
  stream: ReadableStream<Uint8Array>,
  deadline: Deadline,
  maxBytes: number,
): Promise<string> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let chunk: Awaited<ReturnType<typeof reader.read>>;
    try {
      chunk = await reader.read();
    } catch (error) {
      throw deadline.failure(error);
    }
    if (chunk.done) break;
    size += chunk.value.byteLength;
    if (size > maxBytes) {
      deadline.abort();
      reader.cancel().catch(() => undefined);
      throw new ResponseTooLargeError(deadline.what, maxBytes);
    }
    chunks.push(chunk.value);
  }
  return chunks.length === 1
    ? Buffer.from(chunks[0]!.buffer, chunks[0]!.byteOffset, chunks[0]!.byteLength).toString('utf8')
    : Buffer.concat(chunks, size).toString('utf8');
}

/**
 * The body an error keeps: parsed JSON when it is whole JSON, else the text; clipped bodies say so;
 * every secret the request carried (bearer, client secret, password, keys) is replaced by
 * `[REDACTED]`, since some servers echo the request in their error answer.
 */
export function errorBodyOf(
  { text, clipped }: ErrorBodyText,
  request: { url: URL; init: RequestInit } | undefined,
): unknown {
  if (text === '') return undefined;
  const clean = request ? redactSecrets(text, secretsOfRequest(request.url, request.init)) : text;
  if (clipped) return `${clean}… [clipped at ${MAX_ERROR_BODY_BYTES / 1024} KiB]`;
  try {
    return JSON.parse(clean) as unknown;
  } catch {
    return clean;
  }
}

/** Reads a failed answer's body for an error: see {@link readErrorText} and {@link errorBodyOf}. */
export async function readErrorBody(response: Response): Promise<unknown> {
  return errorBodyOf(await readErrorText(response), requests.get(response));
}

/** The request a response of {@link sendOnce} answered (for redacting what it echoes). */
export function requestOf(response: Response): { url: URL; init: RequestInit } | undefined {
  return requests.get(response);
}

/** LivePerson's request id for a response, when it sent one. */
export function requestIdOf(response: { headers: HeaderReader }): string | undefined {
  return response.headers.get('x-request-id') ?? response.headers.get('x-lp-request-id') ?? undefined;
}

/** Milliseconds from the response's `Retry-After`, if any. */
export function retryAfterOf(response: { headers: HeaderReader }): number | undefined {
  return parseRetryAfter(response.headers.get('retry-after'));
}

/** True for the statuses a later attempt may not get: 408, 429 and 5xx except 501. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501);
}

/** True for the failures of one exchange that a new attempt may not meet: resets and deadlines. */
export function isTransientFailure(error: unknown): boolean {
  return error instanceof NetworkError || error instanceof TimeoutError;
}
