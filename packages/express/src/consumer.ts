import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  ConsumerGuard,
  bearerPartsOf,
  contextAuth,
  withConsumer,
  type ConsumerGuardOptions as CoreConsumerGuardOptions,
  type ConsumerVerifier,
  type LpRequestContext,
} from '@lp-auth/core';

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
  return consumerGuard(new ConsumerGuard<Request>(true, options));
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
  return consumerGuard(new ConsumerGuard<Request>(false, options));
}

function consumerGuard(guard: ConsumerGuard<Request>): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const parts = () => bearerPartsOf(req, { query: req.query, body: req.body, cookies: req.cookies });
    const admitted = guard.sourceOf(req, parts).then((source) => guard.admit(source, verifierOf(req)));
    admitted.then(({ verifier, consumer }) => {
      admittedBy.set(req, verifier);
      if (consumer) req.lp = withConsumer(req.lp as LpRequestContext | undefined, consumer);
      next();
    }, next);
  };
}

// The verifier that admitted each request, so that claim checks answer with its realm.
const admittedBy = new WeakMap<Request, ConsumerVerifier>();

/** The verifier that admitted the request, else the one of the `LpAuth` that `lpAuth()` put on it. */
export function verifierOf(req: Request): ConsumerVerifier | undefined {
  return admittedBy.get(req) ?? contextAuth(req.lp as LpRequestContext | undefined)?.consumer;
}
