import { ClosedError, CredentialsRejectedError } from '../errors.js';
import { withRetries } from '../tokens/retry.js';
import type { Credential, CredentialRuntime } from './credential.js';
import { callTokenEndpoint, malformedTokenResponse } from './token-endpoint.js';

/** Options of the ConsumerJWS cache that backs `onBehalfOf`. */
export interface ConsumerJwsOptions {
  /** Consumers whose JWS is kept; the least recently used is dropped beyond it. Default 10 000. */
  maxEntries?: number;
}

export interface GetConsumerJwsOptions {
  /** The JWS the Send API just rejected (401, errorCode 40103): fetch a new one unless another caller has. */
  rejected?: string;
  signal?: AbortSignal;
}

/** Default bound of the per-consumer cache. */
export const DEFAULT_CONSUMER_JWS_ENTRIES = 10_000;

/**
 * ConsumerJWS tokens for the Send API, one per `ext_consumer_id`, fetched from LivePerson's IdP
 * (`POST {idp}/api/account/{acct}/consumer?v=1.0` with the raw AppJWT) and kept in a bounded LRU.
 *
 * The cache lives in this process, not in the {@link TokenStore}: a JWS carries no `exp`, so a store
 * TTL would be invented, and one store round trip per consumer costs more than the idp call it
 * saves for all but the hottest consumers. A JWS stays until LivePerson rejects it (401, errorCode
 * 40103), it is evicted, or {@link ConsumerJwsCache.delete} is called. Concurrent requests for one
 * consumer share one idp call.
 */
export class ConsumerJwsCache {
  readonly #appJwt: Credential;
  readonly #runtime: CredentialRuntime;
  readonly #max: number;
  readonly #entries = new Map<string, string>();
  readonly #inflight = new Map<string, Promise<string>>();
  readonly #closing = new AbortController();

  constructor(appJwt: Credential, runtime: CredentialRuntime, options: ConsumerJwsOptions = {}) {
    this.#appJwt = appJwt;
    this.#runtime = runtime;
    this.#max = Math.max(1, Math.floor(options.maxEntries ?? DEFAULT_CONSUMER_JWS_ENTRIES));
  }

  /** The JWS for `extConsumerId`: cached, or fetched once for every concurrent caller. */
  async get(extConsumerId: string, options: GetConsumerJwsOptions = {}): Promise<string> {
    if (this.#closing.signal.aborted) throw new ClosedError('The ConsumerJWS cache');
    if (typeof extConsumerId !== 'string' || extConsumerId === '') {
      throw new TypeError('onBehalfOf must be a non-empty string: the consumer id (ext_consumer_id).');
    }
    const cached = this.#entries.get(extConsumerId);
    if (cached !== undefined && cached !== options.rejected) {
      // Re-inserted so that Map order is recency order.
      this.#entries.delete(extConsumerId);
      this.#entries.set(extConsumerId, cached);
      return cached;
    }
    if (cached !== undefined) this.#entries.delete(extConsumerId);
    let flight = this.#inflight.get(extConsumerId);
    if (!flight) {
      flight = this.#fetch(extConsumerId)
        .then((jws) => {
          this.#remember(extConsumerId, jws);
          return jws;
        })
        .finally(() => this.#inflight.delete(extConsumerId));
      this.#inflight.set(extConsumerId, flight);
    }
    return abortable(flight, options.signal);
  }

  /** Forgets one consumer's JWS, or every JWS. */
  delete(extConsumerId?: string): void {
    if (extConsumerId === undefined) this.#entries.clear();
    else this.#entries.delete(extConsumerId);
  }

  /** Consumers currently cached. */
  get size(): number {
    return this.#entries.size;
  }

  close(): void {
    this.#closing.abort(new ClosedError('The ConsumerJWS cache'));
    this.#entries.clear();
  }

  #remember(extConsumerId: string, jws: string): void {
    this.#entries.set(extConsumerId, jws);
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  #fetch(extConsumerId: string): Promise<string> {
    return withRetries('Getting a ConsumerJWS', this.#runtime.retry, () => this.#fetchOnce(extConsumerId), {
      signal: this.#closing.signal,
    });
  }

  async #fetchOnce(extConsumerId: string): Promise<string> {
    const { accountId, domains } = this.#runtime;
    const base = await domains.resolve('idp');
    const url = new URL(`${base}/api/account/${encodeURIComponent(accountId)}/consumer?v=1.0`);
    let rejected: string | undefined;
    for (;;) {
      const headers = new Headers({ 'content-type': 'application/json', accept: 'application/json' });
      // The AppJWT credential puts the raw JWT (no "Bearer") in Authorization for service idp.
      const { token } = await this.#appJwt.authorize(
        { url, method: 'POST', headers },
        { service: 'idp', rejected, signal: this.#closing.signal },
      );
      try {
        const { body } = await callTokenEndpoint(
          this.#runtime,
          'consumerJws',
          url,
          { method: 'POST', headers, body: JSON.stringify({ ext_consumer_id: extConsumerId }) },
          this.#closing.signal,
        );
        const jws = (body as { token?: unknown } | undefined)?.token;
        if (typeof jws !== 'string' || jws === '') malformedTokenResponse('consumerJws', url, 'a token');
        return jws;
      } catch (error) {
        // The idp refused the AppJWT: one fresh AppJWT, one more try.
        const unauthorized = error instanceof CredentialsRejectedError && error.status === 401;
        if (!unauthorized || rejected !== undefined || !this.#appJwt.refreshable || token === undefined) {
          throw error;
        }
        rejected = token;
      }
    }
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}
