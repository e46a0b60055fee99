export {
  LpClient,
  type LpClientOptions,
  type LpRequest,
  type LpResponse,
  type LpFetchInit,
  type QueryValue,
} from './lp-client.js';
export { type FetchFn } from './send.js';
export { httpErrorResponse, type HttpErrorResponse } from './error-response.js';
