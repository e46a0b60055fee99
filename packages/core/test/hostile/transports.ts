import type { FetchFn, RequestTransport } from '../core.js';

/** One way `LpClient.request()` sends: the option that picks it, for `createLpAuth`'s `http`. */
export interface TransportCase {
  transport: RequestTransport;
  /** Spread into `http`: nothing for undici (the default), a configured `fetch` for fetch. */
  http: { fetch?: FetchFn };
}

/**
 * The two transports of `request()`: undici's dispatcher API (what `createLpAuth` uses when
 * `http.fetch` is not set) and a configured `http.fetch`, which keeps every exchange on fetch.
 * Each attack on the `request()` path runs against both (`describe.each(TRANSPORTS)`).
 */
export const TRANSPORTS: readonly TransportCase[] = [
  { transport: 'undici', http: {} },
  { transport: 'fetch', http: { fetch: (input, init) => fetch(input, init) } },
];
