/** A held lock; `release` is a no-op once the lock has expired or been taken over. */
export interface TokenStoreLock {
  release(): Promise<void>;
}

/**
 * Where tokens live between calls. The default keeps them in this process's memory;
 * `@lp-auth/redis` shares them (and the lock) across a fleet of processes. Values are plain
 * JSON-serialisable objects; a store may encrypt them at rest.
 */
export interface TokenStore {
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** Stores `value` for `ttlMs` milliseconds. */
  set(key: string, value: unknown, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Tries once to take the lock named `key` for `ttlMs`; resolves `null` when another holder has
   * it. Used for single-flight across processes; in-process single-flight needs no lock.
   */
  lock(key: string, ttlMs: number): Promise<TokenStoreLock | null>;
  /** Releases timers and connections the store owns. */
  close?(): Promise<void>;
}

interface Entry {
  value: unknown;
  expiresAt: number;
}

/** The in-memory {@link TokenStore}: one process, no persistence, expired entries dropped on read. */
export class MemoryTokenStore implements TokenStore {
  readonly #entries = new Map<string, Entry>();
  readonly #locks = new Map<string, { id: symbol; expiresAt: number }>();
  readonly #now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return structuredClone(entry.value) as T;
  }

  async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    if (ttlMs <= 0) {
      this.#entries.delete(key);
      return;
    }
    // A copy, so that a caller mutating its object cannot change what other callers read.
    this.#entries.set(key, { value: structuredClone(value), expiresAt: this.#now() + ttlMs });
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  async lock(key: string, ttlMs: number): Promise<TokenStoreLock | null> {
    const now = this.#now();
    const held = this.#locks.get(key);
    if (held && held.expiresAt > now) return null;
    const id = Symbol(key);
    this.#locks.set(key, { id, expiresAt: now + ttlMs });
    return {
      release: async () => {
        if (this.#locks.get(key)?.id === id) this.#locks.delete(key);
      },
    };
  }

  async close(): Promise<void> {
    this.#entries.clear();
    this.#locks.clear();
  }

  /** Number of live entries (for tests and diagnostics). */
  get size(): number {
    return this.#entries.size;
  }
}
