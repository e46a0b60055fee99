import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { ConsumerIdentity } from '@lp-auth/core';
import {
  requireLpContext,
  ConsumerGuard,
  admittedConsumer,
  bearerPartsOf,
  type ConsumerGuardBinding,
  type ConsumerGuardOptions as CoreConsumerGuardOptions,
  type LpRequestContext,
} from '@lp-auth/core/adapter';
import { refuse } from './error-reply.js';

/** Options of `requireConsumer()` / `optionalConsumer()`; `getToken` receives Fastify's request. */
export type ConsumerGuardOptions = CoreConsumerGuardOptions<FastifyRequest>;

/**
 * A `preHandler` that lets a request through only with a valid consumer id_token (RFC 6750 bearer
 * token, from the brand's identity provider), and puts the verified consumer on
 * `request.lp.consumer`. A request without a token, or with a bad one, is refused with RFC 6750's
 * status, `WWW-Authenticate` challenge and a JSON body (through the plugin's error handler).
 *
 * @example
 * ```ts
 * await app.register(lpAuth, { accountId: '12345678', consumer: { issuer: 'https://login.brand.example' } });
 * app.get('/orders', { preHandler: requireConsumer() }, async (request) => ordersOf(request.lp!.consumer!.sub));
 * // The token in a cookie (@fastify/cookie) or a header of your own instead of Authorization:
 * app.get('/cart', { preHandler: requireConsumer({ getToken: (request) => request.cookies.session_token }) }, handler);
 * ```
 */
export function requireConsumer(options: ConsumerGuardOptions = {}): preHandlerAsyncHookHandler {
  return consumerGuardHook(new ConsumerGuard<FastifyRequest>(true, options, FASTIFY));
}

/**
 * Like {@link requireConsumer}, but a request without any token passes (with
 * `request.lp.consumer` unset). A token that is present must still be valid: a bad one is
 * refused, never ignored.
 *
 * @example
 * ```ts
 * app.get('/catalog', { preHandler: optionalConsumer() }, async (request) => catalogFor(request.lp!.consumer?.sub));
 * ```
 */
export function optionalConsumer(options: ConsumerGuardOptions = {}): preHandlerAsyncHookHandler {
  return consumerGuardHook(new ConsumerGuard<FastifyRequest>(false, options, FASTIFY));
}

/** How the core's guard reads a Fastify request. */
export const FASTIFY: ConsumerGuardBinding<FastifyRequest> = {
  partsOf: (request) =>
    bearerPartsOf(request.raw, {
      query: () => request.query,
      body: () => request.body,
      // Set by @fastify/cookie when the app uses it; otherwise the verifier reads the Cookie header.
      cookies: () => (request as { cookies?: unknown }).cookies,
    }),
};

/** The hook of `guard`: the context the core returns (consumer, verifier) becomes `request.lp`. */
export function consumerGuardHook(guard: ConsumerGuard<FastifyRequest>): preHandlerAsyncHookHandler {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      request.lp = await guard.admit(request, request.lp ?? undefined);
    } catch (error) {
      return refuse(error, request, reply);
    }
  };
}

/**
 * The verified consumer of a guarded request, typed: no `request.lp!.consumer!`. A request without
 * one (the route has no guard, or an optional guard saw no token) throws `token_missing`, which the
 * plugin answers 401 with its challenge.
 *
 * @example
 * ```ts
 * app.get('/orders', { preHandler: requireConsumer() }, async (request) => ordersOf(consumerOf(request).sub));
 * ```
 */
export function consumerOf(request: FastifyRequest): ConsumerIdentity {
  return admittedConsumer(request.lp?.consumer, request.lp?.verifier);
}

/**
 * `request.lp` without `!`: the clients, the core, and the consumer and user when present.
 * @throws ConfigError when the plugin is not registered for this route
 * @example
 * ```ts
 * app.get('/skills', async (request) => (await lpOf(request).clients.appJwt!.request({ service, path })).data);
 * ```
 */
export function lpOf(request: FastifyRequest): LpRequestContext {
  return requireLpContext(request.lp ?? undefined, 'register the plugin (app.register(lpAuth, …))');
}
