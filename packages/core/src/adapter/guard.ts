import { ConfigError, ConsumerTokenError } from '../errors/index.js';
import type { BearerRequestParts } from '../consumer/extract.js';
import type { ConsumerIdentity } from '../consumer/identity.js';
import type { ConsumerVerifierOptions } from '../consumer/options.js';
import type { ConsumerPredicate } from '../consumer/predicates.js';
import { createConsumerVerifier, type ConsumerVerifier, type VerifyOptions } from '../consumer/verifier.js';
import type { LpAuth } from '../lp-auth.js';
import type { LpRequestContext } from './context.js';

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

/** How a guard meets its framework and its core, given once when the guard is made. */
export interface ConsumerGuardBinding<Req> {
  /** The {@link BearerRequestParts} of a request (made only when there is no `getToken`). */
  partsOf(request: Req): BearerRequestParts;
  /**
   * The core this guard serves, when the adapter knows it now (Fastify's `app.lp`): the verifier is
   * then resolved now (a missing one is a `ConfigError` at start-up), and verifier options are built
   * with the core's logger and events. Without it, the guard binds to the `LpAuth` of the first
   * request's context.
   */
  lp?: LpAuth;
  /** Names the guard in the `ConfigError` of a missing verifier, e.g. `app.lp.requireConsumer()`. */
  setup?: string;
}

const UNBOUND: unique symbol = Symbol('unbound');

/**
 * The decision of `requireConsumer()` / `optionalConsumer()`, written once for every adapter: find
 * the token (RFC 6750 §2, or the `getToken` extractor), let a request without one through only when
 * the guard is optional, verify it otherwise, and return the request's context with the verified
 * `consumer` and the `verifier` that judged it. The adapter sets that context on its request
 * (`req.lp = await guard.admit(req, req.lp)`); errors (RFC 6750 `ConsumerTokenError`,
 * `ConfigError`) go to its error path.
 *
 * The verifier is resolved once: at construction when the binding names the `LpAuth`, else on the
 * first request, from its context's `auth` (one comparison per request after that).
 *
 * @example
 * ```ts
 * const guard = new ConsumerGuard<Request>(true, options, { partsOf: (req) => bearerPartsOf(req) });
 * app.use(async (req, _res, next) => {
 *   let lp: LpRequestContext;
 *   try {
 *     lp = await guard.admit(req, req.lp);
 *   } catch (error) {
 *     return next(error);
 *   }
 *   req.lp = lp;
 *   next();
 * });
 * ```
 */
export class ConsumerGuard<Req = never> {
  readonly #given: ConsumerVerifier | undefined;
  readonly #built: ConsumerVerifier | undefined;
  readonly #verifyOptions: VerifyOptions;
  readonly #getToken: ConsumerGuardOptions<Req>['getToken'];
  readonly #partsOf: (request: Req) => BearerRequestParts;
  readonly #setup: string;
  // The verifier resolved for the last `LpAuth` seen (one per guard in practice).
  #boundTo: LpAuth | undefined | typeof UNBOUND = UNBOUND;
  #verifier: ConsumerVerifier | undefined;
  /** Identity → the context last admitted for it (see {@link #admittedOf}); gone with the identity. */
  readonly #admitted = new WeakMap<ConsumerIdentity, AdmittedContext>();

  /**
   * @param required - false for `optionalConsumer()`: no token passes, a bad token is still refused
   * @throws ConfigError now (at start-up) when `options.verifier` holds invalid verifier options, or
   *   when `binding.lp` is given and no verifier is configured anywhere
   */
  constructor(
    readonly required: boolean,
    options: ConsumerGuardOptions<Req> = {},
    binding: ConsumerGuardBinding<Req>,
  ) {
    if (options.getToken !== undefined && typeof options.getToken !== 'function') {
      throw new ConfigError('getToken', 'must be a function (request) => token | undefined.');
    }
    this.#getToken = options.getToken;
    this.#partsOf = binding.partsOf;
    this.#setup = binding.setup ?? (required ? 'requireConsumer()' : 'optionalConsumer()');
    const given = options.verifier;
    // Duck-typed rather than instanceof: an app may end up with two copies of @lp-auth/core.
    if (given === undefined || typeof (given as ConsumerVerifier).verify === 'function') {
      this.#given = given as ConsumerVerifier | undefined;
    } else {
      const lp = binding.lp;
      this.#built = createConsumerVerifier(
        given as ConsumerVerifierOptions,
        lp ? { logger: lp.logger, events: lp.events } : {},
      );
    }
    this.#verifyOptions = options.maxAgeMs === undefined ? {} : { maxAgeMs: options.maxAgeMs };
    if (binding.lp) this.#bind(binding.lp, true);
  }

  /** The verifier given to this guard, or built from its verifier options; undefined when it uses the core's. */
  get ownVerifier(): ConsumerVerifier | undefined {
    return this.#given ?? this.#built;
  }

  /** The verifier this guard uses for requests of `lp` (its own, else the core's `consumer`). */
  verifierFor(lp: LpAuth | undefined): ConsumerVerifier {
    if (lp !== this.#boundTo) this.#bind(lp, false);
    return this.#verifier!;
  }

  /**
   * Judges one request and returns its context: `context` itself when nothing changes (an optional
   * guard, no token, the same verifier), else a frozen copy with `verifier` and the verified
   * `consumer`. Without a context (no adapter setup) the copy has no `auth` and no clients.
   */
  async admit(request: Req, context: LpRequestContext | undefined): Promise<LpRequestContext> {
    return this.admitNow(request, context);
  }

  /**
   * {@link admit}, answered in the same turn when nothing has to wait: a request without a token
   * that may pass, or a token the verifier has cached (`verifyCached`). Otherwise a promise. A
   * malformed request or a refused cached token throws here, synchronously; adapters call it as
   * `next()`-style middleware so that a repeated token costs no promise.
   */
  admitNow(
    request: Req,
    context: LpRequestContext | undefined,
  ): LpRequestContext | Promise<LpRequestContext> {
    const verifier = this.verifierFor(context?.auth);
    if (this.#getToken) return this.#admitExtracted(verifier, request, context);
    const parts = this.#partsOf(request);
    const token = verifier.extract(parts);
    if (token === undefined) return this.#withoutToken(verifier, parts, context);
    // A verifier of another copy of the core may not have `verifyCached`.
    const cached =
      typeof verifier.verifyCached === 'function'
        ? verifier.verifyCached(token, this.#verifyOptions)
        : undefined;
    if (cached) return this.#admittedOf(context, verifier, cached);
    return verifier
      .verify(token, this.#verifyOptions)
      .then((consumer) => freeze(context, { verifier, consumer }));
  }

  /**
   * The frozen context admitting `consumer`: the one made for its last request when the request's
   * context and the verifier are the same. A token the cache hit again comes with the same frozen
   * identity, so its requests share one frozen context, as requests without a guard share the
   * adapter's; making one per request (a spread of a frozen object and a freeze) was ~2,000
   * instructions of a cached token's check.
   */
  #admittedOf(
    context: LpRequestContext | undefined,
    verifier: ConsumerVerifier,
    consumer: ConsumerIdentity,
  ): LpRequestContext {
    const last = this.#admitted.get(consumer);
    if (last !== undefined && last.from === context && last.verifier === verifier) return last.admitted;
    const admitted = freeze(context, { verifier, consumer });
    this.#admitted.set(consumer, { from: context, verifier, admitted });
    return admitted;
  }

  async #admitExtracted(
    verifier: ConsumerVerifier,
    request: Req,
    context: LpRequestContext | undefined,
  ): Promise<LpRequestContext> {
    const extracted = await this.#getToken!(request);
    if (extracted !== undefined && extracted !== null && typeof extracted !== 'string') {
      throw new ConfigError('getToken', `returned ${typeof extracted}; expected a string or undefined.`);
    }
    if (!extracted) return this.#withoutToken(verifier, { headers: {} }, context);
    const consumer = await verifier.verify(extracted, this.#verifyOptions);
    return freeze(context, { verifier, consumer });
  }

  /** A request without a token: an optional guard lets it through, a required one refuses it. */
  #withoutToken(
    verifier: ConsumerVerifier,
    parts: BearerRequestParts,
    context: LpRequestContext | undefined,
  ): LpRequestContext | Promise<LpRequestContext> {
    if (!this.required) return context?.verifier === verifier ? context : freeze(context, { verifier });
    // Refuses as RFC 6750 wants: token_missing, with the verifier's realm and event.
    return verifier
      .authenticate(parts, this.#verifyOptions)
      .then((consumer) => freeze(context, { verifier, consumer }));
  }

  /** Closes the verifier this guard built from verifier options (a given one is its owner's). */
  close(): void {
    this.#built?.close();
  }

  #bind(lp: LpAuth | undefined, now: boolean): void {
    const verifier = this.#given ?? this.#built ?? lp?.consumer;
    if (!verifier) {
      throw new ConfigError(
        'consumer',
        `${this.#setup} has no verifier: set the "consumer" option of ${now ? 'lpAuth' : 'lpAuth()'}, or pass { verifier: { issuer, … } }.`,
      );
    }
    this.#boundTo = lp;
    this.#verifier = verifier;
  }
}

/** A context {@link ConsumerGuard} admitted, and what it was made from. */
interface AdmittedContext {
  from: LpRequestContext | undefined;
  verifier: ConsumerVerifier;
  admitted: LpRequestContext;
}

const NO_CLIENTS = Object.freeze({});

function freeze(
  context: LpRequestContext | undefined,
  admitted: { verifier: ConsumerVerifier; consumer?: ConsumerIdentity },
): LpRequestContext {
  return Object.freeze(
    context
      ? { ...context, ...admitted }
      : ({ clients: NO_CLIENTS, ...admitted } as unknown as LpRequestContext),
  );
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
  url?: string | undefined;
}

/**
 * What the framework parsed of a request, for {@link bearerPartsOf}: each a function, called only
 * when the extraction needs it. On Express every property read of a request misses V8's inline
 * cache (its requests get a new hidden class each), ~2,500 instructions a read, and Express's and
 * Koa's `query` are getters that parse the URL again on every read.
 */
export interface ParsedRequestParts {
  /** The parsed query; called only when the request's URL has a query string. */
  query?: () => unknown;
  /** The parsed body; called only for a form-encoded request that is not a GET. */
  body?: () => unknown;
  /** The parsed cookies; called only when the verifier takes the token from a cookie. */
  cookies?: () => unknown;
}

/**
 * {@link BearerRequestParts} of a Node request, with what the framework parsed (query, body,
 * cookies). Node keeps only the first of repeated `Authorization` headers; RFC 6750 wants a
 * request with two tokens refused, so they are counted from the raw headers. The request is read
 * now for `Authorization`, the method and the URL; its other headers, body and cookies only when
 * the extraction asks (a form body is never read on GET; cookies only with a cookie location).
 */
export function bearerPartsOf(req: NodeRequestLike, parsed: ParsedRequestParts = {}): BearerRequestParts {
  const raw = req.rawHeaders;
  let authorization: string | string[] | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    // 13 = 'authorization'.length: only a name of that length is lower-cased and compared.
    if (name.length !== 13 || name.toLowerCase() !== 'authorization') continue;
    const value = raw[i + 1]!;
    if (authorization === undefined) authorization = value;
    else if (typeof authorization === 'string') authorization = [authorization, value];
    else authorization.push(value);
  }
  let query: Record<string, unknown> | undefined;
  const url = req.url;
  if (parsed.query && (url === undefined || url.includes('?'))) {
    const value = parsed.query();
    if (value && typeof value === 'object') query = value as Record<string, unknown>;
  }
  return new NodeBearerParts(req, authorization, req.method, query, parsed);
}

/**
 * The headers a token can travel in or depends on, read from the request when asked: copying every
 * header cost each request an object as large as its header list.
 */
class NodeBearerHeaders {
  readonly authorization: string | string[] | undefined;
  readonly #req: NodeRequestLike;

  constructor(req: NodeRequestLike, authorization: string | string[] | undefined) {
    this.#req = req;
    this.authorization = authorization;
  }

  get cookie(): string | string[] | undefined {
    return this.#req.headers.cookie;
  }

  get 'content-type'(): string | string[] | undefined {
    return this.#req.headers['content-type'];
  }
}

class NodeBearerParts implements BearerRequestParts {
  readonly headers: BearerRequestParts['headers'];
  readonly method: string | undefined;
  readonly query: Record<string, unknown> | undefined;
  readonly #parsed: ParsedRequestParts;

  constructor(
    req: NodeRequestLike,
    authorization: string | string[] | undefined,
    method: string | undefined,
    query: Record<string, unknown> | undefined,
    parsed: ParsedRequestParts,
  ) {
    this.headers = new NodeBearerHeaders(req, authorization) as unknown as BearerRequestParts['headers'];
    this.method = method;
    this.query = query;
    this.#parsed = parsed;
  }

  get body(): unknown {
    return this.#parsed.body?.();
  }

  get cookies(): Record<string, string | undefined> | undefined {
    const cookies = this.#parsed.cookies?.();
    return cookies && typeof cookies === 'object'
      ? (cookies as Record<string, string | undefined>)
      : undefined;
  }
}
