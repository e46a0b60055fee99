import type { ConsumerIdentity } from './identity.js';
import type { VerificationKey } from './keys.js';
import type { KeySource } from './remote-key-set.js';

interface Entry {
  identity: ConsumerIdentity;
  key: VerificationKey;
  source: KeySource;
}

/** How often, at most, the whole cache is walked for entries that ended (about 5 ms per 100 000). */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Tokens that passed every check, keyed by the token string itself (a map lookup is far cheaper
 * than a signature check, and a token string cannot collide with another). Bounded LRU; an entry
 * ends when its token expires or when the key that signed it leaves the issuer's key set, so a
 * key the IdP withdrew stops vouching at once, cached or not. Ended entries of tokens nobody
 * presents again are swept out at most once a minute, so that their memory comes back.
 */
export class VerifiedTokenCache {
  readonly #max: number;
  readonly #entries = new Map<string, Entry>();
  #nextSweepAt = 0;

  constructor(maxEntries: number) {
    this.#max = maxEntries;
  }

  /** The identity of a token verified before and still good, or undefined. */
  get(token: string, nowMs: number, toleranceMs: number): ConsumerIdentity | undefined {
    if (nowMs >= this.#nextSweepAt) this.#sweep(nowMs, toleranceMs);
    const entry = this.#entries.get(token);
    if (!entry) return undefined;
    if (ended(entry, nowMs, toleranceMs)) {
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

  #sweep(nowMs: number, toleranceMs: number): void {
    this.#nextSweepAt = nowMs + SWEEP_INTERVAL_MS;
    for (const [token, entry] of this.#entries) {
      if (ended(entry, nowMs, toleranceMs)) this.#entries.delete(token);
    }
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }
}

function ended(entry: Entry, nowMs: number, toleranceMs: number): boolean {
  return entry.identity.expiresAt <= nowMs - toleranceMs || !entry.source.isCurrent(entry.key);
}
