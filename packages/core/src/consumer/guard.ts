import { ConfigError } from '../errors/index.js';
import { ConsumerTokenError } from '../errors/index.js';
import type { BearerRequestParts } from './extract.js';
import type { ConsumerIdentity } from './identity.js';
import type { ConsumerVerifierOptions } from './options.js';
import type { ConsumerPredicate } from './predicates.js';
import { createConsumerVerifier, type ConsumerVerifier, type VerifyOptions } from './verifier.js';

/** What a `getToken` extractor returns: the token, or nothing (`undefined`, `null`, `''`) when the request has none. */
export type ExtractedToken = string | null | undefined;

/**
 * Options of every adapter's `requireConsumer()` / `optionalConsumer()` (and Nest's guard). `Req` is
 * the framework's request (Express `Request`, Koa `Context`, Fastify `FastifyRequest`, Nest's
 * platform request).
 */
export interface ConsumerGuardOptions<Req = never> extends Pick<VerifyOptions, 'maxAgeMs'> {
  /**
   * The verifier to use. Default: the one the adapter's `LpAuth` built from its `consumer` option.
   * Give verifier options (`{ issuer, … }`) instead to build one for this guard alone.
   */
  verifier?: ConsumerVerifier | ConsumerVerifierOptions;
  /**
   * Where the token is, instead of RFC 6750's places (`Authorization: Bearer`, and the verifier's
   * `tokenLocations`): a cookie, a custom header. Returns the token, or nothing for a request
   * without one (401 `token_missing`, or through when the guard is optional). A throw is the
   * request's error. The returned token is verified like any other.
   *
   * @example
   * ```ts
   * requireConsumer({ getToken: (req) => req.get('x-consumer-token') });
   * ```
   */
  // A method signature, so that an extractor typed for a narrower request still fits (Nest's).
  getToken?(request: Req): ExtractedToken | Promise<ExtractedToken>;
}

/** The token a `getToken` extractor found, for {@link ConsumerGuard.admit}. */
export interface ExtractedTokenSource {
  readonly extracted: ExtractedToken;
}

/** What a guard decided: the verifier that judged the request, and the consumer (absent only when optional). */
export interface ConsumerAdmission {
  verifier: ConsumerVerifier;
  consumer?: ConsumerIdentity;
}

/**
 * The decision of `requireConsumer()` / `optionalConsumer()`, written once for every adapter: find
 * the token (RFC 6750 §2), let a request without one through only when the guard is optional, and
 * verify it otherwise. The adapter turns its request into {@link BearerRequestParts} and puts the
 * consumer on its context; errors (RFC 6750 `ConsumerTokenError`, `ConfigError`) go to its error path.
 */
export class ConsumerGuard<Req = never> {
  readonly #own: ConsumerVerifier | undefined;
  readonly #verifyOptions: VerifyOptions;
  readonly #getToken: ConsumerGuardOptions<Req>['getToken'];

  /**
   * @param required - false for `optionalConsumer()`: no token passes, a bad token is still refused
   * @throws ConfigError now (at start-up) when `options.verifier` holds invalid verifier options
   */
  constructor(
    readonly required: boolean,
    options: ConsumerGuardOptions<Req> = {},
  ) {
    if (options.getToken !== undefined && typeof options.getToken !== 'function') {
      throw new ConfigError('getToken', 'must be a function (request) => token | undefined.');
    }
    this.#getToken = options.getToken;
    const given = options.verifier;
    // Duck-typed rather than instanceof: an app may end up with two copies of @lp-auth/core.
    this.#own =
      given === undefined || typeof (given as ConsumerVerifier).verify === 'function'
        ? (given as ConsumerVerifier | undefined)
        : createConsumerVerifier(given as ConsumerVerifierOptions);
    this.#verifyOptions = options.maxAgeMs === undefined ? {} : { maxAgeMs: options.maxAgeMs };
  }

  /**
   * Where this guard reads the token of `request`: the `getToken` extractor's answer, or the
   * request's bearer parts (`parts`, made only when there is no extractor).
   */
  async sourceOf(
    request: Req,
    parts: () => BearerRequestParts,
  ): Promise<BearerRequestParts | ExtractedTokenSource> {
    if (!this.#getToken) return parts();
    const extracted = await this.#getToken(request);
    if (extracted !== undefined && extracted !== null && typeof extracted !== 'string') {
      throw new ConfigError('getToken', `returned ${typeof extracted}; expected a string or undefined.`);
    }
    return { extracted };
  }

  /**
   * Judges one request, from its bearer parts or the token a `getToken` extractor found
   * ({@link ConsumerGuard.sourceOf}). `fallback` is the verifier of the adapter's `LpAuth` (its
   * `consumer` option), used when the guard was not given its own.
   */
  async admit(
    source: BearerRequestParts | ExtractedTokenSource,
    fallback: ConsumerVerifier | undefined,
  ): Promise<ConsumerAdmission> {
    const verifier = this.#own ?? fallback;
    if (!verifier) {
      throw new ConfigError(
        'consumer',
        'requireConsumer() has no verifier: set the "consumer" option of lpAuth(), or pass { verifier: { issuer, … } }.',
      );
    }
    const extracted = 'extracted' in source;
    const token = extracted ? source.extracted || undefined : verifier.extract(source);
    if (token === undefined && !this.required) return { verifier };
    const consumer =
      token !== undefined
        ? await verifier.verify(token, this.#verifyOptions)
        : extracted
          ? await verifier.authenticate({ headers: {} }, this.#verifyOptions)
          : await verifier.authenticate(source, this.#verifyOptions);
    return { verifier, consumer };
  }
}

/**
 * A route rule (`claimEquals`, `claimIncludes`, `claimCheck`) applied to the consumer a guard
 * admitted: through its verifier when there is one (its realm, a `consumer.rejected` event).
 *
 * @throws ConsumerTokenError `token_missing` (401) when no guard admitted a consumer first, or
 *   `claim_check_failed` (403 `insufficient_scope`) when the rule fails
 */
export function assertConsumer(
  consumer: ConsumerIdentity | undefined,
  verifier: ConsumerVerifier | undefined,
  predicate: ConsumerPredicate,
): void {
  const admitted = admittedConsumer(consumer, verifier, 'requireConsumer() before the check');
  if (verifier) verifier.assert(admitted, predicate);
  else predicate(admitted);
}

/**
 * The consumer a guard admitted, for typed accessors (Fastify's `consumerOf(request)`): a request
 * that reached the handler without one (no guard, or an optional one and no token) is refused
 * with `token_missing` (401, the verifier's realm), never a `TypeError` on `undefined`.
 *
 * @example
 * ```ts
 * const consumer = admittedConsumer(request.lp?.consumer, verifier);
 * ```
 */
export function admittedConsumer(
  consumer: ConsumerIdentity | undefined,
  verifier: ConsumerVerifier | undefined,
  hint = 'requireConsumer() on the route',
): ConsumerIdentity {
  if (consumer) return consumer;
  const challenge = { realm: verifier?.options.realm, errorDetail: verifier?.options.errorDetail };
  throw new ConsumerTokenError('token_missing', `This route needs a consumer token (${hint}).`, {
    challenge,
  });
}

/** The Node request fields the bearer parts are read from (every framework exposes its `IncomingMessage`). */
export interface NodeRequestLike {
  rawHeaders: readonly string[];
  headers: Record<string, string | string[] | undefined>;
  method?: string | undefined;
}

/**
 * {@link BearerRequestParts} of a Node request, with what the framework parsed (query, body,
 * cookies). Node keeps only the first of repeated `Authorization` headers; RFC 6750 wants a
 * request with two tokens refused, so they are counted from the raw headers.
 */
export function bearerPartsOf(
  req: NodeRequestLike,
  parsed: { query?: unknown; body?: unknown; cookies?: unknown } = {},
): BearerRequestParts {
  const authorization: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() === 'authorization') authorization.push(req.rawHeaders[i + 1]!);
  }
  return {
    headers: { ...req.headers, authorization: authorization.length > 1 ? authorization : authorization[0] },
    ...(parsed.query && typeof parsed.query === 'object'
      ? { query: parsed.query as Record<string, unknown> }
      : {}),
    ...(parsed.body !== undefined ? { body: parsed.body } : {}),
    ...(req.method !== undefined ? { method: req.method } : {}),
    ...(parsed.cookies && typeof parsed.cookies === 'object'
      ? { cookies: parsed.cookies as Record<string, string | undefined> }
      : {}),
  };
}
