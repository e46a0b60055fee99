import type { Context, Middleware } from 'koa';
import {
  ConsumerGuard,
  bearerPartsOf,
  type ConsumerGuardBinding,
  type ConsumerGuardOptions as CoreConsumerGuardOptions,
  type LpRequestContext,
} from '@lp-auth/core/adapter';
import { refuse } from './error-response.js';

/** Options of `requireConsumer()` / `optionalConsumer()`; `getToken` receives Koa's `ctx`. */
export type ConsumerGuardOptions = CoreConsumerGuardOptions<Context>;

/**
 * Lets a request through only with a valid consumer id_token (RFC 6750 bearer token, from the
 * brand's identity provider), and puts the verified consumer on `ctx.state.lp.consumer`. A request
 * without a token, or with a bad one, is refused with RFC 6750's status, `WWW-Authenticate`
 * challenge and a JSON body: thrown to `lpAuth()`, which answers it, or answered by the guard itself
 * when it is used without `lpAuth()`.
 *
 * @example
 * ```ts
 * app.use(lpAuth({ accountId: '12345678', consumer: { issuer: 'https://login.brand.example' } }));
 * router.get('/orders', requireConsumer(), (ctx) => {
 *   ctx.body = ordersOf(ctx.state.lp.consumer!.sub);
 * });
 * // The token in a cookie or a header of your own instead of Authorization:
 * router.get('/cart', requireConsumer({ getToken: (ctx) => ctx.cookies.get('session_token') }), handler);
 * ```
 */
export function requireConsumer(options: ConsumerGuardOptions = {}): Middleware {
  return consumerGuard(new ConsumerGuard<Context>(true, options, KOA));
}

/**
 * Like {@link requireConsumer}, but a request without any token passes (with
 * `ctx.state.lp.consumer` unset). A token that is present must still be valid: a bad one is
 * refused, never ignored.
 *
 * @example
 * ```ts
 * router.get('/catalog', optionalConsumer(), (ctx) => {
 *   ctx.body = catalogFor(ctx.state.lp.consumer?.sub);
 * });
 * ```
 */
export function optionalConsumer(options: ConsumerGuardOptions = {}): Middleware {
  return consumerGuard(new ConsumerGuard<Context>(false, options, KOA));
}

const KOA: ConsumerGuardBinding<Context> = {
  // Koa parses no cookies into an object: the core reads the Cookie header (and refuses a repeated one).
  partsOf: (ctx) =>
    bearerPartsOf(ctx.req, { query: () => ctx.query, body: () => (ctx.request as { body?: unknown }).body }),
};

/**
 * The guard as middleware: the context the core returns (consumer, verifier) becomes `ctx.state.lp`.
 * A token the verifier has cached is admitted in the same turn, without a promise of the guard's.
 */
function consumerGuard(guard: ConsumerGuard<Context>): Middleware {
  return (ctx, next) => {
    let admitted: LpRequestContext | Promise<LpRequestContext>;
    try {
      admitted = guard.admitNow(ctx, ctx.state.lp as LpRequestContext | undefined);
    } catch (error) {
      refuse(ctx, error);
      return undefined;
    }
    if (!(admitted instanceof Promise)) {
      ctx.state.lp = admitted;
      return next();
    }
    return admitted.then(
      (lp) => {
        ctx.state.lp = lp;
        return next();
      },
      (error: unknown) => refuse(ctx, error),
    );
  };
}
