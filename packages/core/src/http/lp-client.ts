import {
  ConfigError,
  InvalidResponseError,
  LpApiError,
  RetryAfterPendingError,
  RetryBudgetExceededError,
} from '../errors/index.js';
// For the TSDoc links.
import { redactUrl } from '../support/redact.js';
import { traced } from './tracing.js';
import type { Credential, LpClientRuntime, Rejection } from './credential.js';
import { backoffDelay, sleep } from './backoff.js';
import { Deadline, untilAborted } from './deadline.js';
import { RetryAfterMemory } from './retry-after-memory.js';
import {
  isRetryableStatus,
  isTransientFailure,
  readErrorBody,
  readErrorText,
  requestIdOf,
  retryAfterOf,
  sendOnce,
  type Answer,
} from './send.js';
import { fetchExchange, undiciExchange, type Exchange } from './exchange.js';
import { PlainHeaders, webHeaders } from './plain-headers.js';
import { DEFAULT_MAX_RESPONSE_BYTES, IDEMPOTENT, isReplayable, parseBody } from './answers.js';
import type { BodyInit, LpClientOptions, LpFetchInit, LpRequest, LpResponse } from './lp-request.js';

export type { LpClientOptions, LpFetchInit, LpRequest, LpResponse, QueryValue } from './lp-request.js';

/**
 * An HTTP client authorized by one {@link Credential}. `fetch` behaves like the global fetch (it
 * resolves with any status); `request` resolves services through CSDS and throws typed errors.
 * Both retry a 401 once with a fresh token, back off on 429 and 5xx (honouring `Retry-After`;
 * 5xx and dropped connections only for idempotent methods), and time out each attempt.
 *
 * A call with `onBehalfOf` is authorized by the client's second credential, its `onBehalfOf`
 * option, which is told whom the call acts for (the appJwt client's acts for Send API consumers).
 * A credential whose API says in a 401 which of its tokens it refused reads that answer itself
 * (`Credential.rejection`); the client knows no LivePerson API by name.
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
  readonly #runtime: LpClientRuntime;
  readonly #onBehalfOf: Credential | undefined;
  readonly #waits = new RetryAfterMemory();
  /** How `request()` sends each attempt; `fetch()` always goes through `runtime.fetch`. */
  readonly #exchange: Exchange;

  constructor(credential: Credential, runtime: LpClientRuntime, options: LpClientOptions = {}) {
    this.credential = credential;
    this.#runtime = runtime;
    this.#onBehalfOf = options.onBehalfOf;
    const viaFetch = fetchExchange(runtime.fetch);
    this.#exchange = runtime.requestTransport === 'undici' ? undiciExchange(viaFetch) : viaFetch;
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
    const { service, timeoutMs, onBehalfOf, signal: ownSignal, ...rest } = init;
    const request = input instanceof Request ? input : undefined;
    const method = (rest.method ?? request?.method ?? 'GET').toUpperCase();
    const headers = new Headers(request?.headers);
    new Headers(rest.headers).forEach((value, key) => headers.set(key, value));
    let body: BodyInit | null | undefined = rest.body;
    if (body === undefined && request?.body) body = await request.arrayBuffer();
    const callerSignal = ownSignal ?? request?.signal ?? undefined;
    const target = request ? request.url : String(input as string | URL);
    return this.#withDeadline(method, target, timeoutMs, callerSignal, async (deadline) => {
      const call: SendCall = {
        url: await this.#url(target, service, deadline),
        method,
        headers,
        body,
        service,
        onBehalfOf,
        callerSignal,
        deadline,
        init: rest,
      };
      return this.#traced(call, () => this.#attempts(call, false));
    });
  }

  /** Calls `path` on `service`; resolves with parsed JSON on 2xx, throws {@link LpApiError} otherwise. */
  async request<T = unknown>(req: LpRequest): Promise<LpResponse<T>> {
    const method = (req.method ?? 'GET').toUpperCase();
    const path = req.path.replaceAll('{accountId}', encodeURIComponent(this.#runtime.accountId));
    const headers = new Headers(req.headers);
    if (!headers.has('accept')) headers.set('accept', 'application/json');
    let body: BodyInit | undefined = req.body as BodyInit | undefined;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    }
    return this.#withDeadline(method, path, req.timeoutMs, req.signal, async (deadline) => {
      const url = await this.#url(path, req.service, deadline);
      for (const [key, value] of Object.entries(req.query ?? {})) {
        if (value === undefined || value === null) continue;
        if (Array.isArray(value)) for (const v of value) url.searchParams.append(key, String(v));
        else url.searchParams.set(key, String(value));
      }
      const call: SendCall = {
        url,
        method,
        headers,
        body,
        service: req.service,
        onBehalfOf: req.onBehalfOf,
        callerSignal: req.signal,
        deadline,
        init: {},
        throwOnSpentBudget: true,
      };
      // A 2xx whose JSON does not parse is tried once more when the request may be repeated.
      const mayRepeat = IDEMPOTENT.has(method) && isReplayable(body);
      for (let attempt = 1; ; attempt++) {
        const answer = await this.#traced(call, () => this.#attempts(call, true));
        const requestId = requestIdOf(answer);
        if (!answer.ok) {
          throw new LpApiError({
            status: answer.status,
            method,
            url: redactUrl(url),
            body: answer.errorBody,
            requestId,
            retryAfterMs: retryAfterOf(answer),
          });
        }
        const parsed = parseBody(answer.text, answer.headers.get('content-type'));
        if (parsed.invalid) {
          if (mayRepeat && attempt === 1) continue;
          throw new InvalidResponseError({ status: answer.status, method, url: redactUrl(url), requestId });
        }
        return success(answer, parsed.data as T, requestId);
      }
    });
  }

  /** The credential of a call: the client's own, or its `onBehalfOf` one when the call acts for someone. */
  #credentialFor(onBehalfOf: string | undefined): Credential {
    if (onBehalfOf === undefined) return this.credential;
    if (!this.#onBehalfOf) {
      throw new ConfigError(
        'onBehalfOf',
        `the ${this.credential.kind} client cannot act for someone else; the client of a credential that can (appJwt: a Send API consumer) takes onBehalfOf.`,
      );
    }
    return this.#onBehalfOf;
  }

  async #url(input: string | URL, service: string | undefined, deadline?: Deadline): Promise<URL> {
    const text = String(input);
    if (/^https?:\/\//i.test(text)) return new URL(text);
    if (!service) {
      throw new ConfigError(
        'service',
        `a relative URL ("${text}") needs the service it belongs to: pass { service } in init.`,
      );
    }
    const resolving = this.#runtime.domains.resolve(service, this.credential.region);
    const base = await untilAborted(resolving, deadline?.signal);
    return new URL(`${base}${text.startsWith('/') ? '' : '/'}${text}`);
  }

  /**
   * Runs one call under the caller's `timeoutMs` and `signal`, when given: they bound everything
   * the call waits for (CSDS, the token fetch, each attempt, the pauses between attempts).
   */
  async #withDeadline<T>(
    method: string,
    target: string,
    timeoutMs: number | undefined,
    signal: AbortSignal | null | undefined,
    run: (deadline: Deadline | undefined) => Promise<T>,
  ): Promise<T> {
    if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
      throw new ConfigError(
        'timeoutMs',
        `must be a positive number of milliseconds, got ${String(timeoutMs)}.`,
      );
    }
    if (timeoutMs === undefined && !signal) return run(undefined);
    const shown = () => (/^https?:\/\//i.test(target) ? redactUrl(target) : (target.split('?')[0] ?? ''));
    const deadline = new Deadline(() => `${method} ${shown()}`, timeoutMs, signal ?? undefined);
    try {
      if (deadline.signal.aborted) throw deadline.failure(undefined);
      return await run(deadline);
    } finally {
      deadline.clear();
    }
  }

  /** The attempts inside an OpenTelemetry span when OpenTelemetry is installed. */
  #traced<T extends { status: number }>(call: SendCall, attempts: () => Promise<T>): Promise<T> {
    return traced(
      `LivePerson ${call.method}`,
      () => ({
        'http.request.method': call.method,
        'url.full': redactUrl(call.url),
        'lp_auth.service': call.service,
        'lp_auth.credential': this.credential.kind,
      }),
      async (set) => {
        const answer = await attempts();
        set('http.response.status_code', answer.status);
        return answer;
      },
    );
  }

  /** The deadline of the next attempt: the client's, or less when the caller's deadline is nearer. */
  #attemptTimeout(deadline: Deadline | undefined): number {
    const remaining = deadline?.remainingMs();
    if (remaining === undefined) return this.#runtime.timeoutMs;
    if (remaining <= 0) throw deadline!.failure(undefined);
    return Math.min(this.#runtime.timeoutMs, remaining);
  }

  #attempts(call: SendCall, buffer: true): Promise<Answer>;
  #attempts(call: SendCall, buffer: false): Promise<Response>;
  async #attempts(call: SendCall, buffer: boolean): Promise<Answer | Response> {
    const { retry } = this.#runtime;
    const replayable = isReplayable(call.body);
    const idempotent = IDEMPOTENT.has(call.method);
    // Named only when an error or a log line needs it: redacting costs on every call otherwise.
    const what = () => `${call.method} ${redactUrl(call.url)}`;
    const credential = this.#credentialFor(call.onBehalfOf);
    const maxBytes = this.#runtime.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    // Waits outside an exchange (tokens, pauses) end with the caller's deadline.
    const signal = call.deadline?.signal;
    const pending = this.#waits.pending(call.url, this.#runtime.now());
    if (pending && pending.remainingMs > retry.maxRetryAfterMs) {
      throw new RetryAfterPendingError(call.method, redactUrl(call.url), pending.status, pending.remainingMs);
    }
    // A short remembered wait is sat out, as a retry would (within the caller's deadline).
    if (pending) await sleep(pending.remainingMs, signal);
    // The token a 401 refused, replaced on the next attempt; each named token is replaced once.
    let rejected: Rejection | undefined;
    const replaced = new Set<string>();
    for (let attempt = 1; ;) {
      const url = new URL(call.url);
      const headers = new Headers(call.headers);
      // The body rides along for credentials that sign it (OAuth 1.0 signs form-encoded bodies).
      const outgoing = { url, method: call.method, headers, body: call.body };
      const applied = await credential.authorize(outgoing, {
        service: call.service,
        rejected: rejected?.token,
        rejectedName: rejected?.name,
        onBehalfOf: call.onBehalfOf,
        signal,
      });
      const init = { ...call.init, method: call.method, headers, body: call.body ?? null };
      // `request()` reads the body inside the attempt (an Answer), so that a reset or a stall
      // mid-body is retried like any other failure; `fetch()` hands the Response over unread.
      let response: Response | undefined;
      let answer: Answer | undefined;
      try {
        const timeoutMs = this.#attemptTimeout(call.deadline);
        if (buffer) {
          answer = await this.#exchange(url, init, timeoutMs, call.callerSignal, maxBytes);
        } else {
          response = await sendOnce(this.#runtime.fetch, url, init, timeoutMs, call.callerSignal, {
            maxBodyBytes: maxBytes,
          });
        }
      } catch (error) {
        if (call.deadline?.signal.aborted) throw call.deadline.failure(error);
        if (!isTransientFailure(error) || !idempotent || !replayable) throw error;
        if (attempt >= retry.maxAttempts) throw new RetryBudgetExceededError(what(), attempt, error);
        await sleep(backoffDelay(attempt, retry), signal);
        attempt++;
        continue;
      }
      const { status, headers: answered } = (answer ?? response)!;
      if (status === 401 && replayable) {
        let rejection: Rejection | undefined;
        if (credential.rejection) {
          // The credential reads the answer to say which of its tokens was refused.
          const text = answer ? answer.text : (await readErrorText(response!)).text;
          if (!answer) {
            response = new Response(text, {
              status,
              statusText: response!.statusText,
              headers: webHeaders(answered),
            });
          }
          rejection = credential.rejection({ status, headers: webHeaders(answered), text }, applied);
        } else if (credential.refreshable) {
          // The token may have been revoked or expired early: one fresh token, one more try.
          rejection = { name: credential.kind, token: applied.token };
        }
        if (rejection && !replaced.has(rejection.name)) {
          if (!answer) await response!.body?.cancel();
          replaced.add(rejection.name);
          rejected = rejection;
          continue;
        }
      }
      rejected = undefined;
      const retryableStatus = isRetryableStatus(status) && (status === 429 || idempotent);
      const retryAfter = retryAfterOf({ headers: answered });
      const spent =
        !retryableStatus ||
        !replayable ||
        attempt >= retry.maxAttempts ||
        (retryAfter !== undefined && retryAfter > retry.maxRetryAfterMs);
      if (spent && retryAfter !== undefined && (status === 429 || status === 503)) {
        // A wait this call does not sit out is kept, so the next calls do not ask again before it passes.
        this.#waits.remember(call.url, status, retryAfter, this.#runtime.now());
      }
      if (!retryableStatus || !replayable) return (answer ?? response)!;
      if (spent) {
        if (!call.throwOnSpentBudget || attempt === 1) return (answer ?? response)!;
        const last = new LpApiError({
          status: status,
          method: call.method,
          url: redactUrl(call.url),
          body: answer ? answer.errorBody : await readErrorBody(response!),
          requestId: requestIdOf({ headers: answered }),
          retryAfterMs: retryAfter,
        });
        throw new RetryBudgetExceededError(what(), attempt, last);
      }
      if (!answer) await response!.body?.cancel();
      this.#runtime.logger.debug(`${what()} answered ${status}; retrying`, { attempt });
      await sleep(retryAfter ?? backoffDelay(attempt, retry), signal);
      attempt++;
    }
  }
}

/**
 * The answer of `request()`. The undici transport's headers become a WHATWG `Headers` only when
 * the caller reads `headers` (once): most callers read `data` alone.
 */
function success<T>(answer: Answer, data: T, requestId: string | undefined): LpResponse<T> {
  const { status, headers } = answer;
  // Not `instanceof Headers`: a configured fetch (another undici copy) may answer with its own class.
  if (headers instanceof PlainHeaders) return lazyHeaders(status, headers, data, requestId);
  return { status, headers, data, ...(requestId ? { requestId } : {}) };
}

function lazyHeaders<T>(
  status: number,
  plain: PlainHeaders,
  data: T,
  requestId: string | undefined,
): LpResponse<T> {
  let own: Headers | undefined;
  const response = {
    status,
    get headers(): Headers {
      return (own ??= plain.toHeaders());
    },
    set headers(value: Headers) {
      own = value;
    },
    data,
  };
  return requestId ? Object.assign(response, { requestId }) : response;
}

/** One call through {@link LpClient}'s retry loop. */
interface SendCall {
  url: URL;
  method: string;
  headers: Headers;
  body: BodyInit | null | undefined;
  service: string | undefined;
  onBehalfOf?: string | undefined;
  /** The caller's own signal: it ends an exchange (and the body a `fetch` caller reads later). */
  callerSignal: AbortSignal | null | undefined;
  /** The caller's `timeoutMs` and signal together, when given: they bound the whole call. */
  deadline: Deadline | undefined;
  init: RequestInit;
  throwOnSpentBudget?: boolean;
}
