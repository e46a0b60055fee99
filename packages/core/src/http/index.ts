export { LpClient, type LpRequest, type LpResponse, type LpFetchInit } from './lp-client.js';
export { type FetchFn } from './send.js';
export { httpErrorResponse, type HttpErrorResponse } from './error-response.js';
