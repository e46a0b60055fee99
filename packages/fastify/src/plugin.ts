import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { type LpAuth, type LpAuthOptions } from '@lp-auth/core';
import {
  adapterLpAuth,
  lpRequestContext,
  type AppAuthorizationRoutesOptions,
  resolveHttpErrorResponseOptions,
  type HttpErrorResponseOptions,
  type LpRequestContext,
} from '@lp-auth/core/adapter';
import { appAuthorizationRoutes } from './app-authorization.js';
import { AppConsumerGuards, type ConsumerGuardSetting, type LpAuthRouteConfig } from './app-guards.js';
import { consumerGuardHook, type ConsumerGuardOptions } from './consumer.js';
import { answerLpErrors } from './error-reply.js';

export type { LpRequestContext };

/** `app.lp`: the wired core (`app.lp.clients`, `app.lp.client('appJwt')`, `app.lp.on(…)`), plus its guards. */
export interface LpAuthFastify extends LpAuth {
  /**
   * A `preHandler` that requires a valid consumer id_token, verified by this app's `consumer`
   * option (or `options.verifier`). Unlike the standalone `requireConsumer()`, a missing verifier
   * fails here, at start-up.
   *
   * @example
   * ```ts
   * app.get('/orders', { preHandler: app.lp.requireConsumer() }, async (request) => ({ sub: request.lp!.consumer!.sub }));
   * ```
   */
  requireConsumer(options?: ConsumerGuardOptions): preHandlerAsyncHookHandler;
  /** Like {@link LpAuthFastify.requireConsumer}, but a request without a token passes (a bad token is refused). */
  optionalConsumer(options?: ConsumerGuardOptions): preHandlerAsyncHookHandler;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The wired core and its guards, set by the plugin. */
    lp: LpAuthFastify;
  }
  interface FastifyRequest {
    /**
     * Set on every request by the plugin (`clients`, `auth`; `consumer` behind a guard; `user`
     * with a login session); null before its `onRequest` hook runs.
     */
    lp: LpRequestContext | null;
  }
  interface FastifyContextConfig {
    /** This route's consumer guard: `{ public: true }` opts out of the plugin's `consumerGuard`. */
    lpAuth?: LpAuthRouteConfig;
  }
}

/** Fastify-side options of the plugin, beside the core's. */
export interface LpAuthFastifyOptions {
  /**
   * Guards every route: `'required'` (as `requireConsumer()`) or `'optional'`, or
   * `{ mode, verifier?, maxAgeMs? }`. A route opts out with `config: { lpAuth: { public: true } }`
   * or picks the other mode with `config: { lpAuth: { consumer: 'optional' } }`.
   */
  consumerGuard?: ConsumerGuardSetting;
  /** Paths of the login routes served when the core has `appAuthorization` (callback: the redirect URI's path). */
  appAuthorizationRoutes?: AppAuthorizationRoutesOptions;
  /**
   * `false`: do not set an error handler; yours then answers `@lp-auth` errors with `sendLpError`
   * (for apps with `allowErrorHandlerOverride: false`, or one error handler of their own). Default true.
   */
  errorHandler?: boolean;
  /**
   * How the plugin's error handler answers `@lp-auth` errors: `expose: false` keeps 5xx bodies to a
   * code and a generic message; `format(error, response)` builds your own body.
   */
  errorResponse?: HttpErrorResponseOptions;
}

/** Options of the plugin: the core's options (or an already built `LpAuth` as `{ lp }`), and the plugin's own. */
export type LpAuthPluginOptions = (LpAuthOptions | { lp: LpAuth }) & LpAuthFastifyOptions;

const plugin: FastifyPluginAsync<LpAuthPluginOptions> = async (app: FastifyInstance, options) => {
  const {
    consumerGuard,
    appAuthorizationRoutes: routesOptions,
    errorHandler = true,
    errorResponse,
    ...rest
  } = options;
  const given = 'lp' in rest ? rest.lp : undefined;
  const { lp, owned } = adapterLpAuth(given ?? coreOptions(rest as LpAuthOptions));
  try {
    const errorOptions = resolveHttpErrorResponseOptions(errorResponse, 'errorResponse');
    const guards = new AppConsumerGuards(lp, consumerGuard);
    const loginRoutes = lp.appAuthorization ? appAuthorizationRoutes(lp, routesOptions) : undefined;
    const context = lpRequestContext(lp);

    app.decorate('lp', appLp(lp, guards));
    app.decorateRequest('lp', null);
    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      request.lp = context;
      return loginRoutes?.(request, reply);
    });
    // Every route gets the hook, even one declared before the option is read or in a child
    // context: a route without config.lpAuth and without consumerGuard costs one property read.
    app.addHook('preValidation', guards.guardRoute);
    app.addHook('onRoute', (route) => guards.checkRoute(route));
    if (errorHandler) answerLpErrors(app, errorOptions);
    app.addHook('onClose', async () => {
      guards.close();
      if (owned) await lp.close();
    });
  } catch (error) {
    // A bad plugin option must not leave the core it built running (timers, sessions).
    if (owned) await lp.close();
    throw error;
  }
};

/** `app.lp`: the core itself (every property and method read through), with the app's guards. */
function appLp(lp: LpAuth, guards: AppConsumerGuards): LpAuthFastify {
  return Object.create(lp, {
    requireConsumer: {
      value: (options?: ConsumerGuardOptions) =>
        consumerGuardHook(guards.guard(true, options, 'app.lp.requireConsumer()')),
    },
    optionalConsumer: {
      value: (options?: ConsumerGuardOptions) =>
        consumerGuardHook(guards.guard(false, options, 'app.lp.optionalConsumer()')),
    },
  }) as LpAuthFastify;
}

/** The core's options alone: Fastify passes its own keys too (prefix, logLevel, logSerializers). */
function coreOptions(options: LpAuthOptions): LpAuthOptions | undefined {
  const {
    prefix: _prefix,
    logLevel: _logLevel,
    logSerializers: _logSerializers,
    ...rest
  } = options as LpAuthOptions & { prefix?: unknown; logLevel?: unknown; logSerializers?: unknown };
  return Object.keys(rest).length === 0 ? undefined : rest;
}

/**
 * The Fastify plugin: `app.register(lpAuth, options)`. It builds the core once (a bad option fails
 * `register`), exposes it as `app.lp` (with `app.lp.requireConsumer()`), sets `request.lp` on
 * every request, serves application authorization's login routes when configured, guards routes
 * when `consumerGuard` is set, answers `@lp-auth` errors with their status and headers, and
 * closes the core when the app closes (when it built it). Without core options it reads the
 * `LP_*` environment variables. Register it before your routes and plugins.
 *
 * @example
 * ```ts
 * const app = Fastify();
 * await app.register(lpAuth, { accountId: '12345678', credentials: { appJwt: { clientId, clientSecret } } });
 * app.get('/skills', async (request) =>
 *   (await request.lp!.clients.appJwt!.request({ service: 'accountConfigReadOnly', path })).data);
 * ```
 */
export const lpAuth = fp(plugin, { name: '@lp-auth/fastify', fastify: '5.x' });
