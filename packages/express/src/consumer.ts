import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  ConfigError,
  createConsumerVerifier,
  type ConsumerVerifier,
  type BearerRequestParts,
  type ConsumerIdentity,
  type ConsumerVerifierOptions,
  type LpAuth,
  type LpRequestContext,
  type VerifyOptions,
} from '@lp-auth/core';

/** Options of {@link requireConsumer} and {@link optionalConsumer}. */
export interface ConsumerGuardOptions extends Pick<VerifyOptions, 'maxAgeMs'> {
  /**
   * The verifier to use. Default: the one `lpAuth()` built from its `consumer` option. Give
   * verifier options (`{ issuer, … }`) instead to build one for this guard alone.
   */
  verifier?: ConsumerVerifier | ConsumerVerifierOptions;
}

/**
 * Lets a request through only with a valid consumer id_token (RFC 6750 bearer token, from the
 * brand's identity provider), and puts the verified consumer on `req.lp.consumer`. A request
 * without a token, or with a bad one, goes to `next(error)`; `lpErrorHandler()` answers it with
 * RFC 6750's status, `WWW-Authenticate` challenge and a JSON body.
 *
 * @example
 * ```ts
 * app.use(lpAuth({ accountId: '12345678', consumer: { issuer: 'https://login.brand.example' } }));
 * app.get('/orders', requireConsumer(), (req, res) => {
 *   res.json(ordersOf(req.lp.consumer!.sub));
 * });
 * app.use(lpErrorHandler());
 * ```
 */
export function requireConsumer(options: ConsumerGuardOptions = {}): RequestHandler {
  return consumerGuard(true, options);
}

/**
 * Like {@link requireConsumer}, but a request without any token passes (with `req.lp.consumer`
 * unset). A token that is present must still be valid: a bad one is refused, never ignored.
 *
 * @example
 * ```ts
 * app.get('/catalog', optionalConsumer(), (req, res) => res.json(catalogFor(req.lp.consumer?.sub)));
 * ```
 */
export function optionalConsumer(options: ConsumerGuardOptions = {}): RequestHandler {
  return consumerGuard(false, options);
}

function consumerGuard(required: boolean, options: ConsumerGuardOptions): RequestHandler {
  // Built now, so that bad verifier options fail at start-up rather than on the first request.
  const given = options.verifier;
  // Duck-typed rather than instanceof: an app may end up with two copies of @lp-auth/core.
  const own =
    given === undefined || typeof (given as ConsumerVerifier).verify === 'function'
      ? (given as ConsumerVerifier | undefined)
      : createConsumerVerifier(given as ConsumerVerifierOptions);
  const verifyOptions: VerifyOptions = options.maxAgeMs === undefined ? {} : { maxAgeMs: options.maxAgeMs };
  return (req: Request, _res: Response, next: NextFunction) => {
    const verifier = own ?? verifierOf(req);
    if (!verifier) {
      next(
        new ConfigError(
          'consumer',
          'requireConsumer() has no verifier: set the "consumer" option of lpAuth(), or pass { verifier: { issuer, … } }.',
        ),
      );
      return;
    }
    const parts = bearerParts(req);
    let token: string | undefined;
    try {
      token = verifier.extract(parts);
    } catch (error) {
      next(error);
      return;
    }
    if (token === undefined && !required) {
      next();
      return;
    }
    const verified =
      token === undefined ? verifier.authenticate(parts) : verifier.verify(token, verifyOptions);
    verified.then((consumer) => {
      admittedBy.set(req, verifier);
      req.lp = withConsumer(req.lp as LpRequestContext | undefined, consumer);
      next();
    }, next);
  };
}

// The verifier that admitted each request, so that claim checks answer with its realm.
const admittedBy = new WeakMap<Request, ConsumerVerifier>();

/** The verifier that admitted the request, else the one of the `LpAuth` that `lpAuth()` put on it. */
export function verifierOf(req: Request): ConsumerVerifier | undefined {
  const admitted = admittedBy.get(req);
  if (admitted) return admitted;
  // A data property only: the context of requireConsumer() without lpAuth() has a throwing getter.
  const auth = req.lp
    ? (Object.getOwnPropertyDescriptor(req.lp, 'auth')?.value as LpAuth | undefined)
    : undefined;
  return auth?.consumer;
}

/** What the core needs from an Express request to find its bearer token. */
function bearerParts(req: Request): BearerRequestParts {
  // Node keeps only the first of repeated Authorization headers; RFC 6750 wants a request with
  // two tokens refused, so they are counted from the raw headers.
  const authorization: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() === 'authorization') authorization.push(req.rawHeaders[i + 1]!);
  }
  return {
    headers: {
      ...req.headers,
      authorization: authorization.length > 1 ? authorization : authorization[0],
    },
    query: req.query as Record<string, unknown>,
    body: req.body as unknown,
    method: req.method,
    ...((req as { cookies?: Record<string, string> }).cookies
      ? { cookies: (req as { cookies: Record<string, string> }).cookies }
      : {}),
  };
}

/** A per-request copy of the shared context, with the consumer; the shared one stays untouched. */
function withConsumer(context: LpRequestContext | undefined, consumer: ConsumerIdentity): LpRequestContext {
  if (context) return Object.freeze({ ...context, consumer });
  // requireConsumer({ verifier }) without lpAuth(): no clients, and `auth` explains why.
  return Object.freeze(
    Object.defineProperties({} as LpRequestContext, {
      clients: { value: Object.freeze({}), enumerable: true },
      consumer: { value: consumer, enumerable: true },
      auth: {
        enumerable: false,
        get() {
          throw new ConfigError('lpAuth', 'req.lp.auth needs app.use(lpAuth(options)) before this route.');
        },
      },
    }),
  );
}
