import type { ConsumerIdentity } from './identity.js';
import type { VerificationKey } from './keys.js';
import type { KeySource } from './remote-key-set.js';

interface Entry {
  /** The whole token: a lookup by its tail is a hit only when this is equal. */
  token: string;
  identity: ConsumerIdentity;
  key: VerificationKey;
  source: KeySource;
  /** When the entry stops vouching, epoch ms: the token's `exp`, or sooner under `maxTokenAge`. */
  endsAt: number;
}

/** How often, at most, the whole cache is walked for entries that ended (about 5 ms per 100 000). */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Characters at the end of a token that entries are looked up by: part of its signature (or a JWE's
 * tag and ciphertext), 256 bits of it and more. A Map hashes its string keys in full, and a fresh
 * token string from each request would otherwise be hashed whole, a thousand characters, on every
 * hit; the tail is hashed, then the token compared in full.
 */
const LOOKUP_CHARS = 43;

const lookupKey = (token: string) => token.slice(-LOOKUP_CHARS);

/**
 * Tokens that passed every check, found by the token string itself (a map lookup is far cheaper
 * than a signature check; entries are looked up by the token's tail, and a hit is a token equal in
 * full, so no token can stand for another). Bounded LRU; an entry
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
    const key = lookupKey(token);
    const entry = this.#entries.get(key);
    // Another token with the same tail (never seen in practice; a forger's at worst) is a miss.
    if (!entry || entry.token !== token) return undefined;
    if (ended(entry, nowMs, toleranceMs)) {
      this.#entries.delete(key);
      return undefined;
    }
    // Re-inserted so that Map order is recency order and the oldest is first to go.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.identity;
  }

  set(
    token: string,
    identity: ConsumerIdentity,
    key: VerificationKey,
    source: KeySource,
    endsAt = identity.expiresAt,
  ): void {
    if (this.#max <= 0) return;
    const lookup = lookupKey(token);
    this.#entries.delete(lookup);
    this.#entries.set(lookup, { token, identity, key, source, endsAt });
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  #sweep(nowMs: number, toleranceMs: number): void {
    this.#nextSweepAt = nowMs + SWEEP_INTERVAL_MS;
    for (const [lookup, entry] of this.#entries) {
      if (ended(entry, nowMs, toleranceMs)) this.#entries.delete(lookup);
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
  return entry.endsAt <= nowMs - toleranceMs || !entry.source.isCurrent(entry.key);
}
