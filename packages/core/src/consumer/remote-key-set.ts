import { redactUrl } from '../support/redact.js';
import type { Logger } from '../support/logger.js';
import type { LpAuthEventBus } from '../support/events.js';
import { sendOnce, type FetchFn } from '../http/send.js';
import { backoffDelay } from '../http/backoff.js';
import { KeySetUnavailableError } from '../errors/index.js';
import { importJwks, type VerificationKey } from './keys.js';

/** How a remote JWKS is cached and refreshed. Every field has a default (see {@link DEFAULT_JWKS_POLICY}). */
export interface JwksPolicy {
  /** How long fetched keys are fresh. Default 600 000 (10 minutes). */
  maxAgeMs: number;
  /** Past this share of `maxAgeMs`, a verification starts a background refresh. Default 0.75. */
  refreshAhead: number;
  /** Least time between two refetches caused by an unknown `kid`. Default 30 000. */
  cooldownMs: number;
  /** How long past `maxAgeMs` the last good keys keep verifying while the IdP fails. Default 3 600 000. */
  staleIfErrorMs: number;
  /** Per-request timeout. Default 5 000. */
  timeoutMs: number;
  /** First wait after a failed fetch (doubling, jittered). Default 1 000. */
  backoffBaseMs: number;
  /** Longest wait between two failed fetches. Default 60 000. */
  backoffMaxMs: number;
}

export const DEFAULT_JWKS_POLICY: Readonly<JwksPolicy> = Object.freeze({
  maxAgeMs: 10 * 60_000,
  refreshAhead: 0.75,
  cooldownMs: 30_000,
  staleIfErrorMs: 60 * 60_000,
  timeoutMs: 5_000,
  backoffBaseMs: 1_000,
  backoffMaxMs: 60_000,
});

/** A source of verification keys for one issuer. */
export interface KeySource {
  /**
   * Keys that may have signed a token with this `kid` (every key when the token has none); `header`
   * is the token's whole protected header, for a key provider. The keys themselves when they are
   * at hand (the usual case, and then the verification stays synchronous), a promise otherwise.
   */
  keysFor(
    kid: string | undefined,
    header?: Readonly<Record<string, unknown>>,
  ): readonly VerificationKey[] | Promise<readonly VerificationKey[]>;
  /** Whether `key` is still in the set and usable: cached verifications by dropped keys end. */
  isCurrent(key: VerificationKey): boolean;
  close(): void;
}

/** Keys given in the options: never fetched, never rotated. */
export class StaticKeySource implements KeySource {
  readonly #keys: readonly VerificationKey[];
  readonly #set: ReadonlySet<VerificationKey>;
  constructor(keys: readonly VerificationKey[]) {
    this.#keys = keys;
    this.#set = new Set(keys);
  }
  keysFor(kid: string | undefined): readonly VerificationKey[] {
    // A static key without kid (the console's SPKI string) matches any kid: LivePerson does the same.
    return kid === undefined ? this.#keys : this.#keys.filter((k) => k.kid === kid || k.kid === undefined);
  }
  isCurrent(key: VerificationKey): boolean {
    return this.#set.has(key);
  }
  close(): void {}
}

export interface RemoteKeySetRuntime {
  fetch: FetchFn;
  logger: Logger;
  events: LpAuthEventBus;
  now: () => number;
}

const MAX_JWKS_CHARS = 512 * 1024;

/**
 * An issuer's JWKS fetched over HTTP, shared by every verification: a consumer IdP's, and
 * Sentinel's for application authorization's id_tokens.
 *
 * - One fetch at a time: concurrent callers wait for the same request.
 * - Past `refreshAhead` of its age the set refreshes in the background, so no request waits on
 *   a routine refresh; past `maxAgeMs` a caller waits for the refresh.
 * - A `kid` not in the set triggers a refetch (key rotation), at most once per `cooldownMs`, so a
 *   stream of forged kids cannot turn the verifier into a flood against the IdP.
 * - When the IdP fails, the last good keys keep verifying until `maxAgeMs + staleIfErrorMs`
 *   (a `jwks.stale` event and a warning say so), and fetches back off exponentially.
 */
export class RemoteKeySet implements KeySource {
  readonly #issuer: string;
  readonly #uri: () => Promise<string>;
  readonly #policy: JwksPolicy;
  readonly #runtime: RemoteKeySetRuntime;
  readonly #closing = new AbortController();
  #keys: readonly VerificationKey[] = [];
  #current: ReadonlySet<VerificationKey> = new Set();
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #inflight: Promise<void> | undefined;
  #failures = 0;
  #retryAt = 0;
  #lastError: unknown;
  #lastKidRefetch = Number.NEGATIVE_INFINITY;

  /** `uri` gives the JWKS address (a constant, or the result of discovery). */
  constructor(issuer: string, uri: () => Promise<string>, policy: JwksPolicy, runtime: RemoteKeySetRuntime) {
    this.#issuer = issuer;
    this.#uri = uri;
    this.#policy = policy;
    this.#runtime = runtime;
  }

  keysFor(kid: string | undefined): readonly VerificationKey[] | Promise<readonly VerificationKey[]> {
    const age = this.#runtime.now() - this.#fetchedAt;
    if (this.#keys.length === 0 || age >= this.#policy.maxAgeMs) return this.#keysAfterRefresh(kid);
    if (age >= this.#policy.maxAgeMs * this.#policy.refreshAhead && !this.#inflight) {
      this.#refresh().catch(() => {
        // Reported inside #refresh; the current keys stay in use.
      });
    }
    // The usual case, answered synchronously: the set is fresh and has the kid.
    const found = this.#match(kid);
    if (found.length > 0 || kid === undefined) return found;
    return this.#keysAfterMiss(kid);
  }

  async #keysAfterRefresh(kid: string | undefined): Promise<readonly VerificationKey[]> {
    await this.#refresh();
    const found = this.#match(kid);
    if (found.length > 0 || kid === undefined) return found;
    return this.#keysAfterMiss(kid);
  }

  /** A kid the set does not have: wait for a refetch under way, or make one (once per cooldown). */
  async #keysAfterMiss(kid: string): Promise<readonly VerificationKey[]> {
    if (this.#inflight) {
      // Another request already refetches (a rotation reaches many requests at once): its
      // answer may hold the kid, and waiting for it costs no extra request to the IdP.
      await this.#inflight.catch(() => undefined);
      const found = this.#match(kid);
      if (found.length > 0) return found;
    }
    const now = this.#runtime.now();
    if (now - this.#lastKidRefetch < this.#policy.cooldownMs) return this.#match(kid);
    this.#lastKidRefetch = now;
    // A failed refetch leaves the old keys; the unknown kid then stays unknown.
    await this.#refresh().catch(() => undefined);
    return this.#match(kid);
  }

  /**
   * Whether a verification by `key` may still be served from the verified-token cache. A cache hit
   * never reaches {@link keysFor}, so the set's age is enforced here too: past `maxAgeMs` nothing
   * cached vouches (the token is verified again, which refreshes the set and drops a withdrawn
   * key), and past `refreshAhead` a background refresh starts, as it would for an uncached token.
   */
  isCurrent(key: VerificationKey): boolean {
    const age = this.#runtime.now() - this.#fetchedAt;
    if (age >= this.#policy.maxAgeMs) return false;
    if (age >= this.#policy.maxAgeMs * this.#policy.refreshAhead && !this.#inflight) {
      this.#refresh().catch(() => {
        // Reported inside #refresh; the current keys stay in use.
      });
    }
    return this.#current.has(key);
  }

  /** How many keys the set holds now (for tests and diagnostics). */
  get size(): number {
    return this.#keys.length;
  }

  close(): void {
    this.#closing.abort();
  }

  #usable(): boolean {
    return this.#runtime.now() - this.#fetchedAt < this.#policy.maxAgeMs + this.#policy.staleIfErrorMs;
  }

  #match(kid: string | undefined): readonly VerificationKey[] {
    if (!this.#usable()) return [];
    return kid === undefined ? this.#keys : this.#keys.filter((k) => k.kid === kid);
  }

  /** Fetches the set once for every concurrent caller; resolves when usable keys exist. */
  #refresh(): Promise<void> {
    if (this.#inflight) return this.#inflight;
    if (this.#runtime.now() < this.#retryAt) {
      // Backing off: no request, the current keys serve if they still may.
      return this.#usable() && this.#keys.length > 0
        ? Promise.resolve()
        : Promise.reject(this.#unavailable('the last fetch failed and the retry is backing off'));
    }
    this.#inflight = this.#fetch()
      .then(
        () => undefined,
        (error: unknown) => this.#failed(error),
      )
      .finally(() => {
        this.#inflight = undefined;
      });
    return this.#inflight;
  }

  async #fetch(): Promise<void> {
    const uri = await this.#uri();
    const url = new URL(uri);
    const response = await sendOnce(
      this.#runtime.fetch,
      url,
      { method: 'GET', headers: { accept: 'application/jwk-set+json, application/json' } },
      this.#policy.timeoutMs,
      this.#closing.signal,
      // Public keys carry no credential: same-origin https hops are followed, nothing else.
      { maxBodyBytes: MAX_JWKS_CHARS, redirects: 'same-origin' },
    );
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`GET ${redactUrl(url)} answered ${response.status}`);
    }
    const text = await response.text();
    if (text.length > MAX_JWKS_CHARS) throw new Error(`GET ${redactUrl(url)} answered more than 512 KiB`);
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      throw new Error(`GET ${redactUrl(url)} did not answer JSON`);
    }
    const { keys, skipped } = importJwks(document);
    if (skipped.length > 0) {
      this.#runtime.logger.debug('JWKS: keys skipped', { issuer: this.#issuer, skipped });
    }
    if (keys.length === 0) throw new Error(`GET ${redactUrl(url)} holds no usable signing key`);
    this.#keys = keys;
    this.#current = new Set(keys);
    this.#fetchedAt = this.#runtime.now();
    this.#failures = 0;
    this.#retryAt = 0;
    this.#runtime.events.emit('jwks.refreshed', { issuer: this.#issuer, keys: keys.length });
  }

  #failed(error: unknown): void {
    this.#failures += 1;
    this.#lastError = error;
    const now = this.#runtime.now();
    this.#retryAt =
      now +
      backoffDelay(this.#failures, {
        maxAttempts: Number.POSITIVE_INFINITY,
        baseDelayMs: this.#policy.backoffBaseMs,
        maxDelayMs: this.#policy.backoffMaxMs,
        maxRetryAfterMs: 0,
      });
    const message = error instanceof Error ? error.message : String(error);
    if (this.#keys.length > 0 && this.#usable()) {
      const ageMs = now - this.#fetchedAt;
      this.#runtime.events.emit('jwks.stale', { issuer: this.#issuer, ageMs, error: message });
      this.#runtime.logger.warn('JWKS refresh failed; the last good keys stay in use', {
        issuer: this.#issuer,
        ageMs,
        error: message,
      });
      return;
    }
    this.#runtime.logger.error('JWKS fetch failed and no usable keys are left', {
      issuer: this.#issuer,
      error: message,
    });
    throw new KeySetUnavailableError(this.#issuer, message, error);
  }

  #unavailable(reason: string): KeySetUnavailableError {
    const last = this.#lastError instanceof Error ? ` (last error: ${this.#lastError.message})` : '';
    return new KeySetUnavailableError(this.#issuer, `${reason}${last}`, this.#lastError);
  }
}
