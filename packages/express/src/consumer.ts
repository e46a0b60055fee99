import type { Request, RequestHandler } from 'express';
import type { ConsumerIdentity } from '@lp-auth/core';
import {
  ConsumerGuard,
  admittedConsumer,
  bearerPartsOf,
  putLpContext,
  lpContextOf,
  requireLpContext,
  type ConsumerGuardBinding,
  type ConsumerGuardOptions as CoreConsumerGuardOptions,
  type LpRequestContext,
} from '@lp-auth/core/adapter';

/** Options of `requireConsumer()` / `optionalConsumer()`; `getToken` receives Express's request. */
export type ConsumerGuardOptions = CoreConsumerGuardOptions<Request>;

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
 *   res.json(ordersOf(consumerOf(req).sub));
 * });
 * app.use(lpErrorHandler());
 * // The token in a cookie (cookie-parser) or a header of your own instead of Authorization:
 * app.get('/cart', requireConsumer({ getToken: (req) => req.cookies.session_token }), handler);
 * ```
 */
export function requireConsumer(options: ConsumerGuardOptions = {}): RequestHandler {
  return consumerGuard(new ConsumerGuard<Request>(true, options, EXPRESS));
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
  return consumerGuard(new ConsumerGuard<Request>(false, options, EXPRESS));
}

const EXPRESS: ConsumerGuardBinding<Request> = {
  partsOf: (req) =>
    bearerPartsOf(req, { query: () => req.query, body: () => req.body, cookies: () => req.cookies }),
};

/**
 * The guard as middleware: the context the core returns (consumer, verifier) becomes `req.lp`. A
 * token the verifier has cached is admitted in the same turn (no promise for Express to chain).
 */
function consumerGuard(guard: ConsumerGuard<Request>): RequestHandler {
  return (req, _res, next) => {
    let admitted: LpRequestContext | Promise<LpRequestContext>;
    try {
      admitted = guard.admitNow(req, lpContextOf(req));
    } catch (error) {
      next(error);
      return;
    }
    if (!(admitted instanceof Promise)) {
      putLpContext(req, admitted);
      next();
      return;
    }
    admitted.then((lp) => {
      putLpContext(req, lp);
      next();
    }, next);
  };
}

/**
 * The verified consumer of a guarded request, typed: no `req.lp!.consumer!`. A request without one
 * (the route has no guard, or an optional guard saw no token) throws `token_missing`, which
 * `lpErrorHandler()` answers 401 with its challenge.
 *
 * @example
 * ```ts
 * app.get('/orders', requireConsumer(), (req, res) => res.json(ordersOf(consumerOf(req).sub)));
 * ```
 */
export function consumerOf(req: Request): ConsumerIdentity {
  // Read as the guard left it, without `req.lp`: on Express each read of a request's property
  // misses V8's inline cache (its requests get a new hidden class each), ~2,500 instructions.
  const lp = lpContextOf(req);
  return admittedConsumer(lp?.consumer, lp?.verifier);
}

/**
 * `req.lp` without `!`: the clients, the core, and the consumer and user when present. Throws a
 * `ConfigError` when neither `lpAuth()` nor a consumer guard ran before the route.
 *
 * @example
 * ```ts
 * app.get('/skills', async (req, res) => res.json((await lpOf(req).clients.appJwt!.request({ service, path })).data));
 * ```
 */
export function lpOf(req: Request): LpRequestContext {
  return requireLpContext(lpContextOf(req), 'app.use(lpAuth(options))');
}
