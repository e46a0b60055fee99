import type { Request, RequestHandler } from 'express';
import {
  ConsumerGuard,
  bearerPartsOf,
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
 *   res.json(ordersOf(req.lp.consumer!.sub));
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
  partsOf: (req) => bearerPartsOf(req, { query: req.query, body: req.body, cookies: req.cookies }),
};

/** The guard as middleware: the context the core returns (consumer, verifier) becomes `req.lp`. */
function consumerGuard(guard: ConsumerGuard<Request>): RequestHandler {
  return async (req, _res, next) => {
    let lp: LpRequestContext;
    try {
      lp = await guard.admit(req, req.lp as LpRequestContext | undefined);
    } catch (error) {
      next(error);
      return;
    }
    req.lp = lp;
    next();
  };
}
