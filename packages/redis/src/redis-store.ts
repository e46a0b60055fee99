import { inspect } from 'node:util';
import {
  ClosedError,
  MemoryTokenStore,
  type Logger,
  type TokenStore,
  type TokenStoreLock,
} from '@lp-auth/core';
import { RedisConnection } from './connection.js';
import { resolveRedisStoreOptions, type RedisStoreOptions } from './options.js';
import { tryRedisLock } from './redis-lock.js';
import { StoreValueUnreadableError, ValueCipher } from './value-cipher.js';

/** Redis keys already reported as unreadable; bounded so a flood of bad keys cannot grow memory. */
const MAX_REPORTED_KEYS = 1000;

/**
 * A {@link TokenStore} in Redis, shared by every process of a fleet: one token per credential for
 * all of them, one refresh at a time across them (a `SET NX PX` lock released only by its holder),
 * and values encrypted at rest with AES-256-GCM, bound to their key. A value this process cannot
 * decrypt reads as absent, with a warning. When Redis is unreachable the store keeps working from
 * this process's memory (each process then refreshes on its own) and returns to Redis when it is back.
 *
 * Build it with {@link createRedisStore}.
 */
export class RedisTokenStore implements TokenStore {
  readonly #connection: RedisConnection;
  readonly #cipher: ValueCipher;
  readonly #prefix: string;
  readonly #logger: Logger;
  readonly #maxLockTtlMs: number | undefined;
  // Answers while Redis is down: per-process behaviour, as without this package. Replaced by an
  // empty one when Redis is back: what was written meanwhile is never read again (reads go to Redis),
  // and must neither pile up in memory nor come back, stale, in the next outage.
  #fallback = new MemoryTokenStore();
  readonly #reported = new Set<string>();
  #closed = false;

  constructor(options: RedisStoreOptions) {
    const resolved = resolveRedisStoreOptions(options);
    this.#cipher = new ValueCipher(resolved.keys);
    this.#prefix = resolved.prefix;
    this.#logger = resolved.logger;
    this.#maxLockTtlMs = resolved.maxLockTtlMs;
    this.#connection = new RedisConnection(resolved, () => {
      const during = this.#fallback;
      this.#fallback = new MemoryTokenStore();
      void during.close();
    });
  }

  /** The prefix of every Redis key this store writes. */
  get prefix(): string {
    return this.#prefix;
  }

  /** True while Redis is unreachable and the store answers from this process's memory. */
  get degraded(): boolean {
    return this.#connection.degraded;
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    this.#checkOpen();
    const redisKey = this.#redisKey(key);
    return this.#connection.run(
      'read',
      async () => {
        const sealed = await this.#connection.send(['GET', redisKey]);
        return sealed === null || sealed === undefined ? undefined : this.#open<T>(redisKey, String(sealed));
      },
      () => this.#fallback.get<T>(key),
    );
  }

  async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    this.#checkOpen();
    if (!(ttlMs > 0)) return this.delete(key);
    const redisKey = this.#redisKey(key);
    const sealed = this.#cipher.seal(redisKey, JSON.stringify(value));
    const ttl = String(Math.max(1, Math.ceil(ttlMs)));
    await this.#connection.run(
      'write',
      async () => {
        await this.#connection.send(['SET', redisKey, sealed, 'PX', ttl]);
        this.#reported.delete(redisKey);
        // An older copy from an earlier outage must not come back in the next one.
        await this.#fallback.delete(key);
      },
      () => this.#fallback.set(key, value, ttlMs),
    );
  }

  async delete(key: string): Promise<void> {
    this.#checkOpen();
    await this.#fallback.delete(key);
    const redisKey = this.#redisKey(key);
    await this.#connection.run(
      'delete',
      async () => {
        await this.#connection.send(['DEL', redisKey]);
      },
      async () => {},
    );
  }

  async lock(key: string, ttlMs: number): Promise<TokenStoreLock | null> {
    this.#checkOpen();
    const capped = Math.min(ttlMs, this.#maxLockTtlMs ?? Infinity);
    const ttl = Math.max(1, Math.ceil(capped));
    const redisKey = this.#redisKey(key);
    return this.#connection.run(
      'lock',
      () => tryRedisLock(this.#connection, redisKey, ttl, this.#logger),
      () => this.#fallback.lock(key, ttl),
    );
  }

  /** Closes the Redis client if the store created it (from `url`), and forgets the in-memory copies. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#connection.close();
    await this.#fallback.close();
  }

  [inspect.custom](): string {
    const state = this.#closed ? 'closed' : this.degraded ? 'degraded' : 'connected';
    return (
      `RedisTokenStore { redis: '${this.#connection.where}', prefix: '${this.#prefix}', ` +
      `keys: ${this.#cipher.keyCount}, state: '${state}' }`
    );
  }

  toJSON(): Record<string, unknown> {
    return { redis: this.#connection.where, prefix: this.#prefix, keys: this.#cipher.keyCount };
  }

  #redisKey(key: string): string {
    return `${this.#prefix}${key}`;
  }

  #open<T>(redisKey: string, sealed: string): T | undefined {
    try {
      return JSON.parse(this.#cipher.open(redisKey, sealed)) as T;
    } catch (error) {
      // Absent rather than thrown: the caller fetches a new token, which overwrites the bad value.
      if (!this.#reported.has(redisKey)) {
        if (this.#reported.size >= MAX_REPORTED_KEYS) this.#reported.clear();
        this.#reported.add(redisKey);
        const reason = error instanceof StoreValueUnreadableError ? error.reason : 'malformed';
        const message =
          error instanceof StoreValueUnreadableError ? error.message : 'its JSON does not parse';
        this.#logger.warn(`@lp-auth/redis: treating a stored value as absent: ${message}`, {
          code: 'store_value_unreadable',
          reason,
        });
      }
      return undefined;
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new ClosedError('The Redis token store');
  }
}

/**
 * Builds a {@link RedisTokenStore} to pass as `store` to `createLpAuth` (or to an adapter's options),
 * so that every process shares one token, one refresh and one lock. Options are validated now: a
 * bad field throws a `ConfigError` that names it and never echoes a key.
 *
 * @example
 * ```ts
 * import { createLpAuth, secret } from '@lp-auth/core';
 * import { createRedisStore } from '@lp-auth/redis';
 *
 * const store = createRedisStore({
 *   url: process.env.REDIS_URL!,
 *   encryptionKey: secret(process.env.LP_REDIS_ENCRYPTION_KEY!), // openssl rand -base64 32
 * });
 * const lp = createLpAuth({ accountId: '12345678', credentials: { appJwt: { clientId, clientSecret } }, store });
 * // on shutdown: the store is yours to close
 * await lp.close();
 * await store.close();
 * ```
 */
export function createRedisStore(options: RedisStoreOptions): RedisTokenStore {
  return new RedisTokenStore(options);
}
