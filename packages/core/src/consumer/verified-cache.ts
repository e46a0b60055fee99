import type { ConsumerIdentity } from './identity.js';
import type { VerificationKey } from './keys.js';
import type { KeySource } from './remote-key-set.js';

interface Entry {
  identity: ConsumerIdentity;
  key: VerificationKey;
  source: KeySource;
}

/**
 * Tokens that passed every check, keyed by the token string itself (a map lookup is far cheaper
 * than a signature check, and a token string cannot collide with another). Bounded LRU; an entry
 * ends when its token expires or when the key that signed it leaves the issuer's key set, so a
 * key the IdP withdrew stops vouching at once, cached or not.
 */
export class VerifiedTokenCache {
  readonly #max: number;
  readonly #entries = new Map<string, Entry>();

  constructor(maxEntries: number) {
    this.#max = maxEntries;
  }

  /** The identity of a token verified before and still good, or undefined. */
  get(token: string, nowMs: number, toleranceMs: number): ConsumerIdentity | undefined {
    const entry = this.#entries.get(token);
    if (!entry) return undefined;
    if (entry.identity.expiresAt <= nowMs - toleranceMs || !entry.source.isCurrent(entry.key)) {
      this.#entries.delete(token);
      return undefined;
    }
    // Re-inserted so that Map order is recency order and the oldest is first to go.
    this.#entries.delete(token);
    this.#entries.set(token, entry);
    return entry.identity;
  }

  set(token: string, identity: ConsumerIdentity, key: VerificationKey, source: KeySource): void {
    if (this.#max <= 0) return;
    this.#entries.delete(token);
    this.#entries.set(token, { identity, key, source });
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }
}
