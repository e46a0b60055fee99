import { ClosedError } from '../errors/index.js';
import { stderrLogger, type Logger } from '../support/logger.js';
import { LpAuthEventBus } from '../support/events.js';
import type { FetchFn } from '../http/send.js';
import { isSupportedAlgorithm, verifySignature, type ConsumerAlgorithm } from './algorithms.js';
import { candidateKeys } from './candidates.js';
import { checkClaims, tokenAgeEndsAt, type ClaimRules } from './claims.js';
import {
  checkCompactCharacters,
  checkTokenSize,
  decodeCompactJws,
  isCompactJwe,
  type DecodedJws,
} from './compact.js';
import { discoverJwksUri } from './discovery.js';
import { ConsumerTokenError, type BearerChallengeOptions } from '../errors/index.js';
import { extractBearerToken, type BearerRequestParts } from './extract.js';
import { consumerIdentity, type ConsumerIdentity } from './identity.js';
import type { ConsumerPredicate } from './predicates.js';
import { decryptNestedJwt } from './jwe.js';
import { ProviderKeySource } from './key-provider.js';
import type { VerificationKey } from './keys.js';
import {
  resolveConsumerOptions,
  type ConsumerVerifierOptions,
  type ResolvedConsumerOptions,
  type ResolvedIssuer,
} from './options.js';
import { RemoteKeySet, StaticKeySource, type KeySource } from './remote-key-set.js';
import { checkTokenType } from './token-type.js';
import { VerifiedTokenCache } from './verified-cache.js';

/** What the verifier talks to; `createLpAuth` passes its own, standalone use takes the defaults. */
export interface ConsumerVerifierRuntime {
  /** Default: the global fetch. */
  fetch?: FetchFn;
  /** Default: warnings and errors to stderr. */
  logger?: Logger;
  /** Where `jwks.refreshed`, `jwks.stale` and `consumer.rejected` go. Default: a bus of its own. */
  events?: LpAuthEventBus;
  /** The clock, in epoch milliseconds. Default `Date.now`. */
  now?: () => number;
}

/** Checks asked for by one call only. */
export interface VerifyOptions {
  /** The `nonce` the login request sent; the token must carry it. */
  nonce?: string;
  /** Longest time since the consumer logged in; overrides the verifier's `maxAgeMs`. */
  maxAgeMs?: number;
}

interface Verified {
  identity: ConsumerIdentity;
  key: VerificationKey;
  source: KeySource;
}

interface Issuer {
  config: ResolvedIssuer;
  source: KeySource;
  rules: ClaimRules;
}

/**
 * Verifies the id_tokens a brand's identity provider issues to its consumers (docs/liveperson-wire.md, "Consumer id_tokens")
 * and turns them into a {@link ConsumerIdentity}. Build it once and share it; `close()` it on
 * shutdown. Signatures are checked with `node:crypto` on `KeyObject`s made once per key; verified
 * tokens are cached until they expire or their key is withdrawn; concurrent requests with the same
 * token share one verification.
 *
 * @example
 * ```ts
 * const verifier = createConsumerVerifier({ issuer: 'https://login.brand.example' });
 * const consumer = await verifier.authenticate({ headers: req.headers });
 * console.log(consumer.sub, findSde(consumer.sdes, 'ctmrinfo')?.info.customerId);
 * ```
 */
export class ConsumerVerifier {
  /** The validated options. Prints no key material. */
  readonly options: ResolvedConsumerOptions;
  /** The bus this verifier emits `jwks.*` and `consumer.rejected` on. */
  readonly events: LpAuthEventBus;
  readonly #issuers = new Map<string, Issuer>();
  readonly #cache: VerifiedTokenCache;
  readonly #inflight = new Map<string, Promise<Verified>>();
  readonly #now: () => number;
  readonly #challenge: BearerChallengeOptions;
  readonly #logger: Logger;
  #closed = false;
  /** Whether the cache saw `token` pass lately (see `extractBearerToken`). */
  readonly #verifiedBefore = (token: string): boolean => this.#cache.isRecent(token);

  constructor(options: ResolvedConsumerOptions, runtime: ConsumerVerifierRuntime = {}) {
    this.options = options;
    const logger = runtime.logger ?? stderrLogger;
    this.#logger = logger;
    this.events = runtime.events ?? new LpAuthEventBus(logger);
    this.#now = runtime.now ?? Date.now;
    this.#cache = new VerifiedTokenCache(options.cacheEntries);
    this.#challenge = { realm: options.realm, errorDetail: options.errorDetail };
    const fetchFn: FetchFn = runtime.fetch ?? ((input, init) => fetch(input, init));
    const keySetRuntime = { fetch: fetchFn, logger, events: this.events, now: this.#now };
    for (const config of options.issuers) {
      let source: KeySource;
      if (config.keys) source = new StaticKeySource(config.keys);
      else if (config.keyProvider) source = new ProviderKeySource(config.issuer, config.keyProvider);
      else {
        const uri = config.jwksUri;
        const locate = uri
          ? () => Promise.resolve(uri)
          : discoverJwksUri(config.issuer, { fetch: fetchFn, timeoutMs: options.jwks.timeoutMs });
        source = new RemoteKeySet(config.issuer, locate, options.jwks, keySetRuntime);
      }
      const rules: ClaimRules = {
        clockToleranceMs: options.clockToleranceMs,
        requiredClaims: options.requiredClaims,
        ...(config.audience ? { audience: config.audience } : {}),
        ...(config.authorizedParty ? { authorizedParty: config.authorizedParty } : {}),
        ...(options.maxAgeMs !== undefined ? { maxAgeMs: options.maxAgeMs } : {}),
        ...(options.maxTokenAgeMs !== undefined ? { maxTokenAgeMs: options.maxTokenAgeMs } : {}),
      };
      this.#issuers.set(config.issuer, { config, source, rules });
    }
  }

  /**
   * The bearer token of a request (RFC 6750 §2, with the verifier's `tokenLocations`), or
   * undefined when there is none. Throws `invalid_request` errors for malformed requests.
   */
  extract(request: BearerRequestParts): string | undefined {
    try {
      return extractBearerToken(request, this.options.tokenLocations, this.#verifiedBefore);
    } catch (error) {
      throw this.#rejected(error);
    }
  }

  /** Extracts and verifies the request's token; a request without one is `token_missing` (401). */
  async authenticate(request: BearerRequestParts, options?: VerifyOptions): Promise<ConsumerIdentity> {
    const token = this.extract(request);
    if (token === undefined) {
      throw this.#rejected(new ConsumerTokenError('token_missing', 'The request carries no bearer token.'));
    }
    return this.verify(token, options);
  }

  /**
   * Verifies one token (a JWS, or a JWE when a decryption key is configured).
   * @throws ConsumerTokenError with the stable code of the first failed check
   * @throws KeySetUnavailableError (503) when the issuer's keys cannot be had
   */
  async verify(token: string, options: VerifyOptions = {}): Promise<ConsumerIdentity> {
    if (this.#closed) throw new ClosedError('The consumer verifier');
    try {
      let identity = this.#cached(token);
      if (!identity) {
        // Concurrent requests with one token share a verification that has to wait (for keys, a
        // decryption); one that finishes synchronously (keys at hand) has nothing to share, and
        // skips the map (hashing a fresh token string costs as much as a few checks below).
        let outcome: Verified | Promise<Verified> | undefined =
          this.#inflight.size > 0 ? this.#inflight.get(token) : undefined;
        if (outcome === undefined) {
          const started = this.#verifyUncached(token);
          if (started instanceof Promise) {
            outcome = started.finally(() => this.#inflight.delete(token));
            this.#inflight.set(token, outcome);
          } else outcome = started;
        }
        const verified = outcome instanceof Promise ? await outcome : outcome;
        this.#cache.set(token, verified.identity, verified.key, verified.source, this.#endsAt(verified));
        identity = verified.identity;
      }
      this.#checkPerCall(identity, options);
      // On every call, cached or not: a revocation takes effect at the next request.
      if (this.options.isRevoked && (await this.options.isRevoked(identity))) {
        throw new ConsumerTokenError('token_revoked', 'The token has been revoked.', {
          issuer: identity.issuer,
        });
      }
      return identity;
    } catch (error) {
      throw this.#rejected(error);
    }
  }

  /**
   * What {@link verify} answers for a token this verifier has verified before and still vouches
   * for (unexpired, its key still in the issuer's set), without waiting: adapters admit a repeated
   * token in the same turn, with no promise. Undefined when the answer needs `verify`: the token is
   * not cached, or `isRevoked` is configured (it may wait), or the verifier is closed.
   * @throws ConsumerTokenError as `verify` would for this call's `nonce` or `maxAgeMs`, or for a
   *   token that is not a string or too long
   */
  verifyCached(token: string, options: VerifyOptions = {}): ConsumerIdentity | undefined {
    if (this.#closed || this.options.isRevoked) return undefined;
    try {
      const identity = this.#cached(token);
      if (identity) this.#checkPerCall(identity, options);
      return identity;
    } catch (error) {
      throw this.#rejected(error);
    }
  }

  #cached(token: string): ConsumerIdentity | undefined {
    if (typeof token !== 'string' || token === '') {
      throw new ConsumerTokenError('token_malformed', 'The token must be a non-empty string.');
    }
    checkTokenSize(token, this.options.maxTokenLength);
    return this.#cache.get(token, this.#now(), this.options.clockToleranceMs);
  }

  /** The checks of one call's options (`nonce`, `maxAgeMs`), cached or not. */
  #checkPerCall(identity: ConsumerIdentity, options: VerifyOptions): void {
    if (options.nonce !== undefined || options.maxAgeMs !== undefined) {
      const issuer = this.#issuers.get(identity.issuer)!;
      checkClaims(identity.claims, { ...issuer.rules, ...options }, this.#now());
    }
  }

  /**
   * Applies route rules (`claimEquals`, `claimIncludes`, `claimCheck`) to a verified consumer;
   * a failure is a `claim_check_failed` error answered with this verifier's realm, and reported
   * as `consumer.rejected` like any other refusal.
   */
  assert(identity: ConsumerIdentity, ...predicates: ConsumerPredicate[]): void {
    try {
      for (const predicate of predicates) predicate(identity);
    } catch (error) {
      throw this.#rejected(error);
    }
  }

  /** How many verified tokens are cached now. */
  get cacheSize(): number {
    return this.#cache.size;
  }

  /** Forgets every verified token (for example after a key compromise). */
  clearCache(): void {
    this.#cache.clear();
  }

  /** Stops background refreshes and forgets cached tokens; later calls throw `closed`. */
  close(): void {
    this.#closed = true;
    for (const issuer of this.#issuers.values()) issuer.source.close();
    this.#cache.clear();
  }

  /**
   * Everything but the cache. Synchronous when the keys are at hand (a static key, a fresh JWKS):
   * each `await` on the way costs a microtask turn and a promise, a few percent of a verification.
   */
  #verifyUncached(token: string): Verified | Promise<Verified> {
    if (isCompactJwe(token)) {
      checkCompactCharacters(token);
      return this.#verifyJwe(token);
    }
    if (this.options.requireEncryption) {
      checkCompactCharacters(token);
      throw new ConsumerTokenError(
        'encryption_required',
        'The token must be encrypted (JWE); it is only signed.',
      );
    }
    // Checks the alphabet on the way (see decodeCompactJws): no separate scan of the token.
    return this.#verifyJws(token, token);
  }

  async #verifyJwe(token: string): Promise<Verified> {
    const jws = await decryptNestedJwt(token, this.options.decryptionKey);
    return this.#verifyJws(token, jws);
  }

  #verifyJws(token: string, jws: string): Verified | Promise<Verified> {
    const decoded = decodeCompactJws(jws);
    let outcome: Verified | Promise<Verified>;
    try {
      outcome = this.#verifyDecoded(token, decoded);
    } catch (error) {
      throw describeToken(error, decoded);
    }
    if (!(outcome instanceof Promise)) return outcome;
    return outcome.catch((error: unknown) => {
      throw describeToken(error, decoded);
    });
  }

  #verifyDecoded(token: string, decoded: DecodedJws): Verified | Promise<Verified> {
    const { header, payload } = decoded;
    const alg = header.alg;
    if (!isSupportedAlgorithm(alg)) {
      throw new ConsumerTokenError(
        'algorithm_not_allowed',
        `The token's algorithm "${String(alg)}" is not accepted (never "none" or a symmetric algorithm).`,
      );
    }
    if (header.crit !== undefined) {
      // RFC 7515 §4.1.11: extensions we do not understand must make the token invalid.
      throw new ConsumerTokenError(
        'token_malformed',
        'The token has critical header parameters this verifier does not support.',
      );
    }
    if (header.b64 !== undefined && header.b64 !== true) {
      // RFC 7797's unencoded payload is not for JWTs: whatever signed such a token, the payload this
      // verifier would read (base64url-decoded) is not the one its header says was signed.
      throw new ConsumerTokenError('token_malformed', 'The token declares an unencoded payload ("b64").');
    }
    const iss = payload.iss;
    if (typeof iss !== 'string')
      throw new ConsumerTokenError('claim_missing', 'The token has no "iss" claim, which is required.');
    const issuer = this.#issuers.get(iss);
    if (!issuer)
      throw new ConsumerTokenError('issuer_mismatch', 'The token\'s "iss" is not an accepted issuer.', {
        issuer: iss,
      });
    const explicit = issuer.config.algorithms;
    if (explicit && !explicit.has(alg)) {
      throw new ConsumerTokenError(
        'algorithm_not_allowed',
        `The algorithm "${alg}" is not in the accepted list.`,
        { issuer: iss },
      );
    }
    const kid = header.kid;
    if (kid !== undefined && typeof kid !== 'string') {
      throw new ConsumerTokenError('token_malformed', 'The token\'s "kid" header is not a string.', {
        issuer: iss,
      });
    }
    const keys = issuer.source.keysFor(kid, header);
    if (keys instanceof Promise) {
      return keys.then((found) => this.#verifyWithKeys(token, decoded, issuer, alg, kid, found));
    }
    return this.#verifyWithKeys(token, decoded, issuer, alg, kid, keys);
  }

  #verifyWithKeys(
    token: string,
    { header, payload, signingInput, signature }: DecodedJws,
    issuer: Issuer,
    alg: ConsumerAlgorithm,
    kid: string | undefined,
    keys: readonly VerificationKey[],
  ): Verified {
    const iss = issuer.config.issuer;
    if (keys.length === 0) {
      throw new ConsumerTokenError(
        'key_not_found',
        kid === undefined
          ? 'No key of the issuer can verify the token.'
          : `The issuer has no key with kid "${kid}".`,
        { issuer: iss },
      );
    }
    const candidates = candidateKeys(keys, alg, issuer.config.algorithms, kid, iss);
    let key: VerificationKey | undefined;
    let keysTried = 0;
    while (key === undefined && keysTried < candidates.length) {
      const candidate = candidates[keysTried++]!;
      if (verifySignature(alg, candidate.key, signingInput, signature)) key = candidate;
    }
    if (!key) {
      throw new ConsumerTokenError('signature_invalid', "The token's signature is invalid.", {
        issuer: iss,
        keysTried,
      });
    }
    // After the signature: a tampered header is a forgery (signature_invalid); a genuine token of
    // another kind (an access token, a logout token) from the same IdP is token_type_invalid.
    checkTokenType(header.typ, this.options.typ);
    checkClaims(payload, issuer.rules, this.#now());
    // The configured string, equal to the token's (the issuer was found by it): one copy for every
    // cached identity of the issuer instead of one each.
    payload.iss = iss;
    return { identity: consumerIdentity(payload, token), key, source: issuer.source };
  }

  /** When a verified token stops passing: its `exp`, or earlier when `maxTokenAge` says so. */
  #endsAt({ identity }: Verified): number {
    const maxAge = this.options.maxTokenAgeMs;
    if (maxAge === undefined) return identity.expiresAt;
    return Math.min(identity.expiresAt, tokenAgeEndsAt(identity.claims, maxAge));
  }

  #rejected(error: unknown): unknown {
    if (error instanceof ConsumerTokenError) {
      error.withChallenge(this.#challenge);
      // Once per refusal, at debug: the reason a client is not told. Never the token itself.
      this.#logger.debug(`consumer token refused: ${error.code}`, {
        code: error.code,
        ...(error.issuer !== undefined ? { issuer: error.issuer } : {}),
        ...(error.kid !== undefined ? { kid: error.kid } : {}),
      });
      this.events.emit('consumer.rejected', {
        code: error.code,
        ...(error.issuer ? { issuer: error.issuer } : {}),
      });
    }
    return error;
  }
}

/** `error`, with the token's issuer and kid when it is a refusal (for the log line and the event). */
function describeToken(error: unknown, { header, payload }: DecodedJws): unknown {
  if (error instanceof ConsumerTokenError) error.describeToken({ issuer: payload.iss, kid: header.kid });
  return error;
}

/**
 * Builds a {@link ConsumerVerifier}; options are validated now (a bad field throws `ConfigError`).
 *
 * @example
 * ```ts
 * // The key as LivePerson's console takes it (base64 SPKI), a PEM, a JWK or a JWKS:
 * createConsumerVerifier({ issuer: 'https://brand.example', key: process.env.IDP_PUBLIC_KEY! });
 * // A JWKS endpoint:
 * createConsumerVerifier({ issuer: 'https://brand.example', jwksUri: 'https://brand.example/jwks.json' });
 * // Discovery (`{issuer}/.well-known/openid-configuration`), with an audience:
 * createConsumerVerifier({ issuer: 'https://login.brand.example', audience: 'orders-api' });
 * // Several identity providers:
 * createConsumerVerifier({ issuers: [{ issuer: 'https://a.example' }, { issuer: 'https://b.example', key: pem }] });
 * ```
 */
export function createConsumerVerifier(
  options: ConsumerVerifierOptions,
  runtime: ConsumerVerifierRuntime = {},
): ConsumerVerifier {
  return new ConsumerVerifier(resolveConsumerOptions(options), runtime);
}
