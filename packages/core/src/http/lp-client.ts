import {
  AbortedError,
  ConfigError,
  InvalidResponseError,
  LpApiError,
  NetworkError,
  RetryBudgetExceededError,
  TimeoutError,
} from '../errors.js';
import { redactUrl } from '../config/redact.js';
import { traced } from './tracing.js';
import type { ConsumerJwsCache } from '../credentials/consumer-jws.js';
import type { Credential, CredentialRuntime } from '../credentials/credential.js';
import { backoffDelay, sleep } from '../tokens/backoff.js';
import { isRetryableStatus, readErrorBody, requestIdOf, retryAfterOf, sendOnce } from './send.js';

type BodyInit = NonNullable<RequestInit['body']>;
type HeadersInit = NonNullable<RequestInit['headers']>;
export type QueryValue =
  string | number | boolean | undefined | null | readonly (string | number | boolean)[];

/** A call described by service and path; see {@link LpClient.request}. */
export interface LpRequest {
  /** CSDS service name (`accountConfigReadOnly`, `msgHist`, …) or an Orchestrator regional service. */
  service: string;
  /** Path on that service; `{accountId}` is replaced by the configured account id. */
  path: string;
  method?: string;
  query?: Readonly<Record<string, QueryValue>>;
  /** Sent as JSON with `content-type: application/json`. */
  json?: unknown;
  /** A raw body, when `json` does not fit. */
  body?: string | URLSearchParams | Uint8Array;
  headers?: HeadersInit;
  signal?: AbortSignal;
  /** Per-attempt timeout in ms; defaults to the client's. */
  timeoutMs?: number;
  /**
   * Send API only (appJwt client): act for this consumer (`ext_consumer_id`). The client gets the
   * consumer's ConsumerJWS from the IdP (cached) and sends it as `X-LP-ON-BEHALF` beside the AppJWT.
   */
  onBehalfOf?: string;
}

/** A successful answer of {@link LpClient.request}. */
export interface LpResponse<T> {
  status: number;
  headers: Headers;
  /** Parsed JSON, the text when the body is not JSON, or undefined when empty. */
  data: T;
  requestId?: string;
}

/** Extra fields `LpClient.fetch` accepts beside `RequestInit`. */
export interface LpFetchInit extends RequestInit {
  /** The service a relative path is resolved against, and whose authorization rules apply. */
  service?: string;
  timeoutMs?: number;
  /** As {@link LpRequest.onBehalfOf}. */
  onBehalfOf?: string;
}

/** What an {@link LpClient} may use beside its credential. */
export interface LpClientOptions {
  /** ConsumerJWS tokens for `onBehalfOf` (the appJwt client has them). */
  consumerJws?: ConsumerJwsCache;
}

/** Send API 401 `errorCode`s (LivePerson): the AppJWT is invalid, the ConsumerJWS is invalid. */
const INVALID_APP_JWT = 40102;
const INVALID_CONSUMER_JWS = 40103;

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/**
 * An HTTP client authorized by one {@link Credential}. `fetch` behaves like the global fetch (it
 * resolves with any status); `request` resolves services through CSDS and throws typed errors.
 * Both retry a 401 once with a fresh token, back off on 429 and 5xx (honouring `Retry-After`;
 * 5xx and dropped connections only for idempotent methods), and time out each attempt.
 *
 * @example
 * ```ts
 * const { data } = await lp.clients.appJwt.request<Skill[]>({
 *   service: 'accountConfigReadOnly',
 *   path: '/api/account/{accountId}/configuration/le-users/skills',
 *   query: { v: '2.0' },
 * });
 * ```
 */
export class LpClient {
  readonly credential: Credential;
  readonly #runtime: CredentialRuntime;
  readonly #consumerJws: ConsumerJwsCache | undefined;

  constructor(credential: Credential, runtime: CredentialRuntime, options: LpClientOptions = {}) {
    this.credential = credential;
    this.#runtime = runtime;
    this.#consumerJws = options.consumerJws;
  }

  /** The configured account id. */
  get accountId(): string {
    return this.#runtime.accountId;
  }

  /**
   * fetch-compatible: an absolute URL, or a path with `init.service`. Resolves with the final
   * response whatever its status; rejects with a typed error when no response could be had.
   */
  async fetch(input: string | URL | Request, init: LpFetchInit = {}): Promise<Response> {
    const { service, timeoutMs, onBehalfOf, ...rest } = init;
    const request = input instanceof Request ? input : undefined;
    const method = (rest.method ?? request?.method ?? 'GET').toUpperCase();
    const headers = new Headers(request?.headers);
    new Headers(rest.headers).forEach((value, key) => headers.set(key, value));
    let body: BodyInit | null | undefined = rest.body;
    if (body === undefined && request?.body) body = await request.arrayBuffer();
    const url = await this.#url(request ? request.url : (input as string | URL), service);
    return this.#send({
      url,
      method,
      headers,
      body,
      service,
      timeoutMs,
      onBehalfOf,
      signal: rest.signal ?? request?.signal,
      init: rest,
    });
  }

  /** Calls `path` on `service`; resolves with parsed JSON on 2xx, throws {@link LpApiError} otherwise. */
  async request<T = unknown>(req: LpRequest): Promise<LpResponse<T>> {
    const method = (req.method ?? 'GET').toUpperCase();
    const path = req.path.replaceAll('{accountId}', encodeURIComponent(this.#runtime.accountId));
    const url = await this.#url(path, req.service);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value === undefined || value === null) continue;
      if (Array.isArray(value)) for (const v of value) url.searchParams.append(key, String(v));
      else url.searchParams.set(key, String(value));
    }
    const headers = new Headers(req.headers);
    if (!headers.has('accept')) headers.set('accept', 'application/json');
    let body: BodyInit | undefined = req.body as BodyInit | undefined;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    }
    const send = () =>
      this.#send({
        url,
        method,
        headers,
        body,
        service: req.service,
        timeoutMs: req.timeoutMs,
        onBehalfOf: req.onBehalfOf,
        signal: req.signal,
        init: {},
        throwOnSpentBudget: true,
      });
    // A 2xx whose JSON does not parse is tried once more when the request may be repeated.
    const mayRepeat = IDEMPOTENT.has(method) && isReplayable(body);
    for (let attempt = 1; ; attempt++) {
      const response = await send();
      const requestId = requestIdOf(response);
      if (!response.ok) {
        throw new LpApiError({
          status: response.status,
          method,
          url: redactUrl(url),
          body: await readErrorBody(response),
          requestId,
          retryAfterMs: retryAfterOf(response),
        });
      }
      const parsed = parseBody(await response.text(), response.headers.get('content-type'));
      if (parsed.invalid) {
        if (mayRepeat && attempt === 1) continue;
        throw new InvalidResponseError({ status: response.status, method, url: redactUrl(url), requestId });
      }
      return {
        status: response.status,
        headers: response.headers,
        data: parsed.data as T,
        ...(requestId ? { requestId } : {}),
      };
    }
  }

  #consumerJwsFor(onBehalfOf: string): ConsumerJwsCache {
    if (!this.#consumerJws) {
      throw new ConfigError(
        'onBehalfOf',
        `acting for a consumer needs the appJwt client (ConsumerJWS for the Send API); this is the ${this.credential.kind} client.`,
      );
    }
    if (typeof onBehalfOf !== 'string' || onBehalfOf === '') {
      throw new ConfigError('onBehalfOf', 'must be a non-empty string: the consumer id (ext_consumer_id).');
    }
    return this.#consumerJws;
  }

  async #url(input: string | URL, service: string | undefined): Promise<URL> {
    const text = String(input);
    if (/^https?:\/\//i.test(text)) return new URL(text);
    if (!service) {
      throw new TypeError(
        `A relative URL ("${text}") needs the service it belongs to: pass { service } in init.`,
      );
    }
    const base = await this.#runtime.domains.resolve(service, this.credential.region);
    return new URL(`${base}${text.startsWith('/') ? '' : '/'}${text}`);
  }

  /** {@link LpClient.#sendWithRetries} inside an OpenTelemetry span when OpenTelemetry is installed. */
  #send(call: SendCall): Promise<Response> {
    return traced(
      `LivePerson ${call.method}`,
      {
        'http.request.method': call.method,
        'url.full': redactUrl(call.url),
        'lp_auth.service': call.service,
        'lp_auth.credential': this.credential.kind,
      },
      async (set) => {
        const response = await this.#sendWithRetries(call);
        set('http.response.status_code', response.status);
        return response;
      },
    );
  }

  async #sendWithRetries(call: SendCall): Promise<Response> {
    const { retry, timeoutMs: defaultTimeout } = this.#runtime;
    const timeoutMs = call.timeoutMs ?? defaultTimeout;
    const replayable = isReplayable(call.body);
    const idempotent = IDEMPOTENT.has(call.method);
    const what = `${call.method} ${redactUrl(call.url)}`;
    const consumerJws = call.onBehalfOf === undefined ? undefined : this.#consumerJwsFor(call.onBehalfOf);
    let rejected: string | undefined;
    let rejectedJws: string | undefined;
    let unauthorizedRetried = false;
    let jwsRetried = false;
    for (let attempt = 1; ;) {
      const url = new URL(call.url);
      const headers = new Headers(call.headers);
      const signal = call.signal ?? undefined;
      // The body rides along for credentials that sign it (OAuth 1.0 signs form-encoded bodies).
      const outgoing = { url, method: call.method, headers, body: call.body };
      const { token } = await this.credential.authorize(outgoing, {
        service: call.service,
        rejected,
        signal,
      });
      let jws: string | undefined;
      if (consumerJws) {
        jws = await consumerJws.get(call.onBehalfOf!, { rejected: rejectedJws, signal });
        headers.set('x-lp-on-behalf', jws);
      }
      let response: Response;
      try {
        response = await sendOnce(
          this.#runtime.fetch,
          url,
          { ...call.init, method: call.method, headers, body: call.body ?? null },
          timeoutMs,
          signal,
        );
      } catch (error) {
        const transient = error instanceof NetworkError || error instanceof TimeoutError;
        if (!transient || !idempotent || !replayable) throw error;
        if (attempt >= retry.maxAttempts) throw new RetryBudgetExceededError(what, attempt, error);
        await pause(backoffDelay(attempt, retry), signal, what);
        attempt++;
        continue;
      }
      if (response.status === 401 && jws !== undefined && replayable) {
        // The Send API says which of its two tokens it refused; each is replaced at most once.
        const text = await response.text().catch(() => '');
        const code = sendApiErrorCode(text);
        if (code === INVALID_CONSUMER_JWS && !jwsRetried) {
          jwsRetried = true;
          rejectedJws = jws;
          continue;
        }
        const appJwtRefused = code === INVALID_APP_JWT || code === undefined;
        if (appJwtRefused && this.credential.refreshable && !unauthorizedRetried) {
          unauthorizedRetried = true;
          rejected = token;
          continue;
        }
        response = new Response(text, {
          status: response.status,
          statusText: response.statusText,
          headers: response.headers,
        });
      } else if (
        response.status === 401 &&
        this.credential.refreshable &&
        !unauthorizedRetried &&
        replayable
      ) {
        // The token may have been revoked or expired early: one fresh token, one more try.
        await response.body?.cancel();
        unauthorizedRetried = true;
        rejected = token;
        continue;
      }
      rejected = undefined;
      rejectedJws = undefined;
      const retryableStatus = isRetryableStatus(response.status) && (response.status === 429 || idempotent);
      if (!retryableStatus || !replayable) return response;
      const retryAfter = retryAfterOf(response);
      const spent =
        attempt >= retry.maxAttempts || (retryAfter !== undefined && retryAfter > retry.maxRetryAfterMs);
      if (spent) {
        if (!call.throwOnSpentBudget || attempt === 1) return response;
        const last = new LpApiError({
          status: response.status,
          method: call.method,
          url: redactUrl(call.url),
          body: await readErrorBody(response),
          requestId: requestIdOf(response),
          retryAfterMs: retryAfter,
        });
        throw new RetryBudgetExceededError(what, attempt, last);
      }
      await response.body?.cancel();
      this.#runtime.logger.debug(`${what} answered ${response.status}; retrying`, { attempt });
      await pause(retryAfter ?? backoffDelay(attempt, retry), signal, what);
      attempt++;
    }
  }
}

/** The `errorCode` of a Send API error body (`{"kind":"resp","code":401,"body":{…,"errorCode":40103}}`). */
function sendApiErrorCode(text: string): number | undefined {
  try {
    const parsed = JSON.parse(text) as { body?: { errorCode?: unknown }; errorCode?: unknown };
    const code = parsed?.body?.errorCode ?? parsed?.errorCode;
    const n = typeof code === 'string' ? Number(code) : code;
    return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** One call through {@link LpClient}'s retry loop. */
interface SendCall {
  url: URL;
  method: string;
  headers: Headers;
  body: BodyInit | null | undefined;
  service: string | undefined;
  timeoutMs: number | undefined;
  onBehalfOf?: string | undefined;
  signal: AbortSignal | null | undefined;
  init: RequestInit;
  throwOnSpentBudget?: boolean;
}

/** Waits between attempts; the caller's abort ends the wait with a typed error. */
async function pause(ms: number, signal: AbortSignal | undefined, what: string): Promise<void> {
  try {
    await sleep(ms, signal);
  } catch (reason) {
    throw new AbortedError(what, reason);
  }
}

/** Bodies that can be sent again on a retry. A stream can be read only once. */
function isReplayable(body: BodyInit | null | undefined): boolean {
  return (
    body === undefined ||
    body === null ||
    typeof body === 'string' ||
    body instanceof URLSearchParams ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    body instanceof Blob ||
    body instanceof FormData
  );
}

const JSON_TYPE = /^\s*application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i;

/**
 * The body of a 2xx answer: parsed JSON, the text when it is not JSON, or undefined when empty.
 * A body labelled JSON that does not parse is `invalid` rather than handed over as text.
 */
function parseBody(text: string, contentType: string | null): { data: unknown; invalid?: true } {
  if (text === '') return { data: undefined };
  try {
    return { data: JSON.parse(text) };
  } catch {
    return contentType && JSON_TYPE.test(contentType) ? { data: undefined, invalid: true } : { data: text };
  }
}
