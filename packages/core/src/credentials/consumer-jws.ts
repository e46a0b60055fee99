import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { ClosedError, CredentialsRejectedError } from '../errors/index.js';
import { untilAborted } from '../http/deadline.js';
import { withRetries } from '../http/retry.js';
import { MemoryTokenStore } from '../tokens/store.js';
import type { Credential, CredentialRuntime } from './credential.js';
import { callTokenEndpoint, malformedTokenResponse } from './token-endpoint.js';

/** Options of the ConsumerJWS cache that backs `onBehalfOf`. */
export interface ConsumerJwsOptions {
  /** Consumers whose JWS is kept; the least recently used is dropped beyond it. Default 10 000. */
  maxEntries?: number;
  /**
   * How long a JWS is kept in a shared `TokenStore` (such as `@lp-auth/redis`), so that the
   * other processes of a fleet use it instead of asking the idp again. Default 24 hours.
   */
  storeTtlMs?: number;
}

export interface GetConsumerJwsOptions {
  /** The JWS the Send API just rejected (401, errorCode 40103): fetch a new one unless another caller has. */
  rejected?: string;
  signal?: AbortSignal;
}

/** Default bound of the per-consumer cache. */
export const DEFAULT_CONSUMER_JWS_ENTRIES = 10_000;
/** Default lifetime of a JWS in a shared store. A JWS has no `exp`; this bounds what a store keeps. */
const DEFAULT_CONSUMER_JWS_STORE_TTL_MS = 24 * 60 * 60_000;

/** What the store keeps per consumer. */
interface StoredConsumerJws {
  jws: string;
}

/**
 * The store key of a consumer's JWS. The consumer id is hashed: it may be personal data (an email
 * address), and Redis keys are not encrypted the way values are.
 */
function consumerJwsKey(accountId: string, extConsumerId: string): string {
  return `lp:${accountId}:consumerJws:${createHash('sha256').update(extConsumerId, 'utf8').digest('hex')}`;
}

/**
 * ConsumerJWS tokens for the Send API, one per `ext_consumer_id`, fetched from LivePerson's IdP
 * (`POST {idp}/api/account/{acct}/consumer?v=1.0` with the raw AppJWT) and kept in a bounded LRU.
 *
 * With a shared `TokenStore` (not the default in-memory one, which would only duplicate the
 * LRU), a JWS is also written to the store, encrypted at rest by it, for `storeTtlMs`; a process
 * that misses in its LRU reads the store before it asks the idp, so a fleet asks once per consumer.
 * There is no cross-process lock: a JWS is not single-use, so two processes fetching one at the same
 * moment get two valid tokens. A JWS stays until LivePerson rejects it (401, errorCode 40103), it is
 * evicted, or {@link ConsumerJwsCache.delete} is called. Concurrent requests for one consumer in a
 * process share one idp call.
 *
 * @example
 * ```ts
 * // createLpAuth builds one for the appJwt client; a request names the consumer it acts for:
 * await lp.client('appJwt').request({
 *   service: 'asyncMessagingEnt',
 *   path: '/api/account/{accountId}/messaging/consumer/conversation',
 *   method: 'POST',
 *   query: { v: 3 },
 *   json: [{ kind: 'req', id: '1', type: 'cm.ConsumerRequestConversation', body: { brandId: lp.accountId } }],
 *   onBehalfOf: 'consumer-1', // ext_consumer_id
 * });
 * ```
 */
export class ConsumerJwsCache {
  readonly #appJwt: Credential;
  readonly #runtime: CredentialRuntime;
  readonly #max: number;
  readonly #storeTtlMs: number;
  readonly #shared: boolean;
  readonly #entries = new Map<string, string>();
  readonly #inflight = new Map<string, Promise<string>>();
  // One listener per ConsumerJWS fetch in flight (one per consumer at once), each removed on settle.
  readonly #closing = noListenerLimit(new AbortController());

  constructor(appJwt: Credential, runtime: CredentialRuntime, options: ConsumerJwsOptions = {}) {
    this.#appJwt = appJwt;
    this.#runtime = runtime;
    this.#max = Math.max(1, Math.floor(options.maxEntries ?? DEFAULT_CONSUMER_JWS_ENTRIES));
    this.#storeTtlMs = Math.max(1, options.storeTtlMs ?? DEFAULT_CONSUMER_JWS_STORE_TTL_MS);
    this.#shared = !(runtime.store instanceof MemoryTokenStore);
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
      flight = this.#fromStoreOrIdp(extConsumerId, options.rejected)
        .then((jws) => {
          this.#remember(extConsumerId, jws);
          return jws;
        })
        .finally(() => this.#inflight.delete(extConsumerId));
      this.#inflight.set(extConsumerId, flight);
    }
    return untilAborted(flight, options.signal);
  }

  /**
   * Forgets one consumer's JWS, here and in a shared store, or every JWS of this process (the
   * store's copies then stay until their TTL).
   */
  async delete(extConsumerId?: string): Promise<void> {
    if (extConsumerId === undefined) {
      this.#entries.clear();
      return;
    }
    this.#entries.delete(extConsumerId);
    if (this.#shared) {
      await this.#runtime.store
        .delete(consumerJwsKey(this.#runtime.accountId, extConsumerId))
        .catch((error: unknown) => this.#storeFailed('delete', error));
    }
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

  /** The JWS another process stored, unless it is the rejected one; else a new one from the idp. */
  async #fromStoreOrIdp(extConsumerId: string, rejected: string | undefined): Promise<string> {
    if (!this.#shared) return this.#fetch(extConsumerId);
    const { store, accountId } = this.#runtime;
    const key = consumerJwsKey(accountId, extConsumerId);
    const stored = await store
      .get<StoredConsumerJws>(key)
      .catch((error: unknown) => this.#storeFailed('read', error));
    if (typeof stored?.jws === 'string' && stored.jws !== '' && stored.jws !== rejected) return stored.jws;
    const jws = await this.#fetch(extConsumerId);
    const value: StoredConsumerJws = { jws };
    await store
      .set(key, value, this.#storeTtlMs)
      .catch((error: unknown) => this.#storeFailed('write', error));
    return jws;
  }

  #storeFailed(what: string, error: unknown): undefined {
    this.#runtime.logger.warn(`consumerJws: token store ${what} failed; using this process's cache`, {
      error: error instanceof Error ? error.message : String(error),
    });
    return undefined;
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

function noListenerLimit(controller: AbortController): AbortController {
  setMaxListeners(0, controller.signal);
  return controller;
}
