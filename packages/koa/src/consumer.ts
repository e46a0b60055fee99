import type { Context, Middleware } from 'koa';
import {
  ConsumerGuard,
  bearerPartsOf,
  contextAuth,
  withConsumer,
  type ConsumerAdmission,
  type ConsumerGuardOptions as CoreConsumerGuardOptions,
  type ConsumerVerifier,
  type LpRequestContext,
} from '@lp-auth/core';
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
  return consumerGuard(new ConsumerGuard<Context>(true, options));
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
  return consumerGuard(new ConsumerGuard<Context>(false, options));
}

function consumerGuard(guard: ConsumerGuard<Context>): Middleware {
  return async (ctx, next) => {
    let admission: ConsumerAdmission;
    try {
      // Koa parses no cookies into an object: the core reads the Cookie header (and refuses a repeated one).
      const parts = () =>
        bearerPartsOf(ctx.req, { query: ctx.query, body: (ctx.request as { body?: unknown }).body });
      admission = await guard.admit(await guard.sourceOf(ctx, parts), verifierOf(ctx));
    } catch (error) {
      refuse(ctx, error);
      return;
    }
    admittedBy.set(ctx, admission.verifier);
    if (admission.consumer) {
      ctx.state.lp = withConsumer(
        ctx.state.lp as LpRequestContext | undefined,
        admission.consumer,
        'app.use(lpAuth(options))',
      );
    }
    await next();
  };
}

// The verifier that admitted each request, so that claim checks answer with its realm.
const admittedBy = new WeakMap<Context, ConsumerVerifier>();

/** The verifier that admitted the request, else the one of the `LpAuth` that `lpAuth()` put on it. */
export function verifierOf(ctx: Context): ConsumerVerifier | undefined {
  return admittedBy.get(ctx) ?? contextAuth(ctx.state.lp as LpRequestContext | undefined)?.consumer;
}
