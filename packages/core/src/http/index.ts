export {
  LpClient,
  type LpClientOptions,
  type LpRequest,
  type LpResponse,
  type LpFetchInit,
  type QueryValue,
} from './lp-client.js';
export type {
  Credential,
  AuthorizeContext,
  AuthorizeResult,
  OutgoingRequest,
  RefusedAnswer,
  Rejection,
  LpClientRuntime,
} from './credential.js';
export { type FetchFn } from './send.js';
export { type RequestTransport } from './exchange.js';
export {
  httpErrorResponse,
  resolveHttpErrorResponseOptions,
  type HttpErrorResponse,
  type HttpErrorResponseOptions,
} from './error-response.js';
