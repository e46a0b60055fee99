import { hash } from 'node:crypto';
import {
  identityWithToken,
  parsedSdes,
  type ConsumerClaims,
  type ConsumerIdentity,
  type SdesMemo,
} from './identity.js';
import type { EngagementAttribute } from './sdes.js';
import type { VerificationKey } from './keys.js';
import type { KeySource } from './remote-key-set.js';

interface Entry extends SdesMemo {
  /** What the identities of every hit share; the token is the caller's (see `digestOf`). */
  claims: Readonly<ConsumerClaims>;
  /** `lp_sdes` parsed, once an identity of the token has read it (see `identityWithToken`). */
  sdes: readonly EngagementAttribute[] | undefined;
  key: VerificationKey;
  source: KeySource;
  /** When the entry stops vouching, epoch ms: the token's `exp`, or sooner under `maxTokenAge`. */
  endsAt: number;
  /** The cache's move count when the entry last went to the recent end (see `get`). */
  movedAt: number;
}

/**
 * Recently hit tokens: a consumer sends the same token on request after request. They are found by
 * a number made of the token's last {@link HOT_KEY_CHARACTERS} characters (see {@link hotKeyOf}) and
 * then compared whole with the token kept, so a hit vouches for exactly the token that passed every
 * check, as the digest does. Tokens whose keys collide only miss: the newer one replaces the other
 * in this map, whose next request then takes the digest; the answer is never another token's.
 * 256 tokens of ~1 KB is about 256 KB at most.
 */
const HOT_TOKENS = 256;
/** Characters of a token's end that make its key in {@link HOT_TOKENS}: 36 bits of a signature, folded into 30. */
const HOT_KEY_CHARACTERS = 6;

/** A hot token: its digest, and the identity last handed out for it, while its entry is the same. */
interface HotToken {
  token: string;
  lookup: string;
  entry: Entry | undefined;
  identity: ConsumerIdentity | undefined;
}

/** How often, at most, the whole cache is walked for entries that ended (about 5 ms per 100 000). */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * The lookup key of a token: SHA-256 of the whole token (its UTF-8 bytes), as a 32-character
 * one-byte string. The cache keeps no token: a ~920-character token per entry was half of its
 * memory. A hit therefore needs the presented token's digest to equal that of a token that passed
 * every check. Finding another token with that digest is a second preimage of SHA-256 (2^256
 * work); two distinct tokens among n cached ones collide by chance with probability about
 * n²/2^257, so no token, whatever part of a cached one it shares (tail, signature, header and
 * payload), stands for another. UTF-8, not latin1: latin1 drops the high byte of characters above
 * U+00FF, so a non-ASCII forgery could digest like an ASCII token; in UTF-8 every non-ASCII
 * character yields bytes above 0x7F, which a verified token (base64url and dots) never has.
 * Cost: a few µs for ~1,000 characters on a busy machine (tools/bench/notes.md), paid by a token
 * that is not among the {@link HOT_TOKENS} (those skip it): what a cache holding no token pays,
 * still a small fraction of the signature check it saves.
 */
const digestOf = (token: string): string => hash('sha256', token, 'binary');

/**
 * Tokens that passed every check, found by a digest of the whole token (a digest is far cheaper
 * than a signature check, and a map entry holds no token). Bounded, nearly LRU; an entry
 * ends when its token expires or when the key that signed it leaves the issuer's key set, so a
 * key the IdP withdrew stops vouching at once, cached or not. Ended entries of tokens nobody
 * presents again are swept out at most once a minute, so that their memory comes back.
 */
export class VerifiedTokenCache {
  readonly #max: number;
  readonly #entries = new Map<string, Entry>();
  /** Key → tokens hit lately (see {@link HOT_TOKENS}). */
  readonly #hot = new Map<number, HotToken>();
  /**
   * The digest of the last token looked up and not found: `verify` looks a token up, verifies it
   * and stores it, and the digest (SHA-256 of ~1 KB) is computed once for the three.
   */
  #missed: { token: string; lookup: string } | undefined;
  /**
   * The token {@link isRecent} last found equal, whole, to a hot token, and that hot token: `get`
   * of that same string (the extraction's, a moment later) need not compare ~1,000 characters again.
   */
  #confirmedToken: string | undefined;
  #confirmedHot: HotToken | undefined;
  #moves = 0;
  #nextSweepAt = 0;

  constructor(maxEntries: number) {
    this.#max = maxEntries;
  }

  /**
   * The identity of a token verified before and still good, or undefined. Its `token` is equal to
   * the caller's; a token hit again gets the identity of its last hit (identities are frozen).
   */
  get(token: string, nowMs: number, toleranceMs: number): ConsumerIdentity | undefined {
    if (nowMs >= this.#nextSweepAt) this.#sweep(nowMs, toleranceMs);
    if (this.#entries.size === 0) return undefined;
    const key = hotKeyOf(token);
    let hot = this.#hot.get(key);
    if (
      hot !== undefined &&
      !(hot === this.#confirmedHot && token === this.#confirmedToken) &&
      hot.token !== token
    ) {
      hot = undefined;
    }
    const lookup = hot?.lookup ?? this.#digestOf(token);
    const entry = this.#entries.get(lookup);
    if (!entry || ended(entry, nowMs, toleranceMs)) {
      if (entry) this.#entries.delete(lookup);
      if (hot !== undefined) this.#hot.delete(key);
      this.#missed = { token, lookup };
      return undefined;
    }
    if (hot === undefined) {
      if (this.#hot.size >= HOT_TOKENS) this.#hot.delete(this.#hot.keys().next().value as number);
      hot = { token, lookup, entry: undefined, identity: undefined };
      this.#hot.set(key, hot);
    }
    // Map order is recency order, the oldest first to go. An entry goes back to the recent end
    // only once it has fallen into the older half: V8's Map keeps a deleted slot in its key's
    // hash chain until the table is rebuilt, so deleting and re-adding one hot key on every hit
    // made that chain, and each lookup of the key, grow by one per hit (50× slower at 100,000).
    if (this.#moves - entry.movedAt > this.#max / 2) {
      this.#entries.delete(lookup);
      this.#entries.set(lookup, entry);
      entry.movedAt = ++this.#moves;
    }
    if (hot.entry !== entry || hot.identity === undefined) {
      hot.entry = entry;
      hot.identity = identityWithToken(entry.claims, entry, hot.token);
    }
    return hot.identity;
  }

  /**
   * Whether `token` is exactly one of the tokens hit lately: a token that passed every check once,
   * so its syntax needs no second look (see `extractBearerToken`). Says nothing about whether it
   * is still good: `get` decides that.
   */
  isRecent(token: string): boolean {
    const hot = this.#hot.get(hotKeyOf(token));
    if (hot === undefined || hot.token !== token) return false;
    this.#confirmedToken = token;
    this.#confirmedHot = hot;
    return true;
  }

  set(
    token: string,
    identity: ConsumerIdentity,
    key: VerificationKey,
    source: KeySource,
    endsAt = identity.expiresAt,
  ): void {
    if (this.#max <= 0) return;
    const lookup = this.#digestOf(token);
    const { claims } = identity;
    const sdes = parsedSdes(identity);
    this.#entries.delete(lookup);
    this.#entries.set(lookup, { claims, sdes, key, source, endsAt, movedAt: ++this.#moves });
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  #digestOf(token: string): string {
    const missed = this.#missed;
    return missed !== undefined && missed.token === token ? missed.lookup : digestOf(token);
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
    this.#hot.clear();
    this.#missed = undefined;
    this.#confirmedToken = undefined;
    this.#confirmedHot = undefined;
  }
}

/**
 * The key of a token in the hot map: its last {@link HOT_KEY_CHARACTERS} characters and its length,
 * as a 30-bit number. A string key of the token's end was hashed anew on every lookup (each request
 * brings a new string): ~600 instructions of a ~1,200-instruction lookup, twice per request.
 */
function hotKeyOf(token: string): number {
  const length = token.length;
  let key = length;
  for (let i = length > HOT_KEY_CHARACTERS ? length - HOT_KEY_CHARACTERS : 0; i < length; i++) {
    key = (key * 31 + token.charCodeAt(i)) | 0;
  }
  return key & 0x3fffffff;
}

function ended(entry: Entry, nowMs: number, toleranceMs: number): boolean {
  return entry.endsAt <= nowMs - toleranceMs || !entry.source.isCurrent(entry.key);
}
