import type { Credential } from './credential.js';

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
   * Act for someone: the call is authorized by the client's `onBehalfOf` credential, told this id.
   * On the appJwt client, the Send API consumer (`ext_consumer_id`): the consumer's ConsumerJWS,
   * from the IdP (cached), goes as `X-LP-ON-BEHALF` beside the AppJWT. Other clients refuse it.
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
  /**
   * The credential of calls made with `onBehalfOf`, which gets that id as
   * `AuthorizeContext.onBehalfOf` (the appJwt client's is a `SendApiCredential`). Without it, such
   * a call is a `ConfigError`.
   */
  onBehalfOf?: Credential;
}
