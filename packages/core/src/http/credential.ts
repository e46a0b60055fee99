import type { Logger } from '../support/logger.js';
import type { RetryPolicy } from './backoff.js';
import type { RequestTransport } from './exchange.js';
import type { FetchFn } from './send.js';

/** A request about to be sent, before or after a credential is applied. */
export interface OutgoingRequest {
  url: URL;
  method: string;
  headers: Headers;
}

export interface AuthorizeContext {
  /** The LivePerson service the request goes to (`sentinel`, `asyncMessagingEnt`, …), when known. */
  service?: string;
  /**
   * Set when the API refused `rejected` with 401: the credential must bring a fresh token in its
   * place. It is a value the credential applied, as {@link Credential.rejection} named it
   * (without that hook, {@link AuthorizeResult.token}).
   */
  rejected?: string;
  /**
   * With `rejected`: the {@link Rejection.name} that {@link Credential.rejection} gave it (else the
   * credential's `kind`). A credential that applies several tokens replaces only that one.
   */
  rejectedName?: string;
  /**
   * Whom the call acts for (`onBehalfOf` of `LpClient.request` and `fetch`). Set only for the
   * credential an `LpClient` was given as its `onBehalfOf` credential.
   */
  onBehalfOf?: string;
  signal?: AbortSignal;
}

export interface AuthorizeResult {
  /** The token value applied, so that a 401 can name it as rejected. */
  token?: string;
}

/** A 401 answer, as {@link Credential.rejection} reads it. */
export interface RefusedAnswer {
  readonly status: number;
  readonly headers: Headers;
  /** The body, clipped to the bytes an error keeps. */
  readonly text: string;
}

/** Which token of an attempt a 401 refused: {@link Credential.rejection} names it. */
export interface Rejection {
  /**
   * Which of the credential's tokens it is (`appJwt`, `consumerJws`, …). An `LpClient` replaces
   * each named token at most once per call: a second 401 for the same name is the answer.
   */
  readonly name: string;
  /**
   * The refused value; the retry's `authorize` gets it as {@link AuthorizeContext.rejected}, and
   * `name` as {@link AuthorizeContext.rejectedName}.
   */
  readonly token: string | undefined;
}

/**
 * One way of authorizing requests to LivePerson. Bearer-token flows implement it over a
 * `TokenManager`; OAuth 1.0 signs each request; the Orchestrator v1 key only sets a header.
 * An `LpClient` applies it to each attempt and, on a 401, asks it once for a fresh token.
 */
export interface Credential {
  /** The flow, e.g. `appJwt`, `orchestratorV1`. */
  readonly kind: string;
  /** Whether a 401 may be cured by fetching a fresh token (false for static keys). */
  readonly refreshable: boolean;
  /** The region of Conversation Orchestrator credentials (`us`, `emea`, `apac`). */
  readonly region?: string;
  /** Applies the credential to `request` in place. */
  authorize(request: OutgoingRequest, context: AuthorizeContext): Promise<AuthorizeResult>;
  /**
   * Optional: reads a 401 answer to say which of the tokens `authorize` applied it refused, for an
   * API that says so in its body (the Send API's `errorCode` 40102 or 40103). Returns the token to
   * replace before one more try, or `undefined` when no fresh token would help (the 401 is then the
   * answer). An `LpClient` asks only for a request it can send again, and replaces each named token
   * at most once per call.
   *
   * Without it, a 401 names {@link AuthorizeResult.token} (under the credential's `kind`) when
   * the credential is {@link Credential.refreshable}, without reading the body.
   */
  rejection?(answer: RefusedAnswer, applied: AuthorizeResult): Rejection | undefined;
  /** Forgets any cached token. */
  invalidate(): Promise<void>;
  /** Stops timers and retries; logs out where the flow has a session. */
  close(): Promise<void>;
}

/**
 * What an `LpClient` needs from the `LpAuth` that owns it: the credentials' runtime, seen from
 * below (CSDS through `domains.resolve`).
 */
export interface LpClientRuntime {
  accountId: string;
  /** Resolves a LivePerson service to its base URL (CSDS, or a regional Orchestrator host). */
  domains: { resolve(service: string, region?: string): Promise<string> };
  fetch: FetchFn;
  /**
   * How `LpClient.request()` sends: `undici` (undici's dispatcher API; what `createLpAuth` picks
   * when `http.fetch` is not set) or `fetch` (through {@link LpClientRuntime.fetch}, the default
   * here). `LpClient.fetch()`, token endpoints, CSDS and key sets always use `fetch`.
   */
  requestTransport?: RequestTransport;
  logger: Logger;
  retry: RetryPolicy;
  /** Deadline of one HTTP exchange (headers and body), ms. */
  timeoutMs: number;
  /** The largest API answer an `LpClient` reads, bytes; token endpoints use a smaller fixed limit. */
  maxResponseBytes?: number;
  now: () => number;
}
