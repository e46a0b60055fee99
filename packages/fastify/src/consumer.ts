import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import {
  ConfigError,
  ConsumerGuard,
  admittedConsumer,
  bearerPartsOf,
  contextAuth,
  withConsumer,
  type ConsumerGuardOptions as CoreConsumerGuardOptions,
  type ConsumerIdentity,
  type ConsumerVerifier,
  type LpRequestContext,
} from '@lp-auth/core';
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
  return consumerGuardHook(new ConsumerGuard<FastifyRequest>(true, options));
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
  return consumerGuardHook(new ConsumerGuard<FastifyRequest>(false, options));
}

/**
 * The hook of `guard`. `fallback` is the verifier to use when the guard has none of its own
 * (`app.lp`'s guards pass the core's); without it, the one of the request's `LpAuth`.
 */
export function consumerGuardHook(
  guard: ConsumerGuard<FastifyRequest>,
  fallback?: ConsumerVerifier,
): preHandlerAsyncHookHandler {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      await admit(guard, request, fallback);
    } catch (error) {
      return refuse(error, request, reply);
    }
  };
}

/** Runs `guard` on `request` and puts the consumer it admitted on `request.lp`. */
export async function admit(
  guard: ConsumerGuard<FastifyRequest>,
  request: FastifyRequest,
  fallback?: ConsumerVerifier,
): Promise<void> {
  const parts = () =>
    bearerPartsOf(request.raw, {
      query: request.query,
      body: request.body,
      // Set by @fastify/cookie when the app uses it; otherwise the verifier reads the Cookie header.
      cookies: (request as { cookies?: unknown }).cookies,
    });
  const source = await guard.sourceOf(request, parts);
  const { verifier, consumer } = await guard.admit(source, fallback ?? verifierOf(request));
  admittedBy.set(request, verifier);
  if (consumer) {
    request.lp = withConsumer(request.lp ?? undefined, consumer, 'app.register(lpAuth, options)');
  }
}

// The verifier that admitted each request, so that claim checks answer with its realm.
const admittedBy = new WeakMap<FastifyRequest, ConsumerVerifier>();

/** The verifier that admitted the request, else the one of the `LpAuth` the plugin put on it. */
export function verifierOf(request: FastifyRequest): ConsumerVerifier | undefined {
  return (
    admittedBy.get(request) ??
    contextAuth((request.lp ?? undefined) as LpRequestContext | undefined)?.consumer
  );
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
  return admittedConsumer(request.lp?.consumer, verifierOf(request));
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
  if (request.lp) return request.lp;
  throw new ConfigError(
    'lpAuth',
    'request.lp is not set: register the plugin (app.register(lpAuth, …)) first.',
  );
}
