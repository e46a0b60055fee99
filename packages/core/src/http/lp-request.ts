import type { ConsumerJwsCache } from '../credentials/consumer-jws.js';

export type BodyInit = NonNullable<RequestInit['body']>;
export type HeadersInit = NonNullable<RequestInit['headers']>;
export type QueryValue =
  string | number | boolean | undefined | null | readonly (string | number | boolean)[];

/** A call described by service and path; see `LpClient.request`. */
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
  /** Ends the call (an `AbortedError`); bounds every wait of it, the token fetch included. */
  signal?: AbortSignal;
  /**
   * Deadline of the whole call in ms: CSDS, the token fetch, every attempt and the pauses between
   * them (a `TimeoutError` when it passes). Each attempt is also bounded by `http.timeoutMs`.
   */
  timeoutMs?: number;
  /**
   * Send API only (appJwt client): act for this consumer (`ext_consumer_id`). The client gets the
   * consumer's ConsumerJWS from the IdP (cached) and sends it as `X-LP-ON-BEHALF` beside the AppJWT.
   */
  onBehalfOf?: string;
}

/** A successful answer of `LpClient.request`. */
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
  /** As `LpRequest.timeoutMs`: the whole call, headers and body of the answer included. */
  timeoutMs?: number;
  /** As `LpRequest.onBehalfOf`. */
  onBehalfOf?: string;
}

/** What an `LpClient` may use beside its credential. */
export interface LpClientOptions {
  /** ConsumerJWS tokens for `onBehalfOf` (the appJwt client has them). */
  consumerJws?: ConsumerJwsCache;
}
