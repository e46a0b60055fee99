import type {
  FastifyError,
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
} from 'fastify';
import fp from 'fastify-plugin';
import {
  adapterLpAuth,
  httpErrorResponse,
  LpAuthError,
  lpRequestContext,
  type LpAuth,
  type LpAuthOptions,
  type LpRequestContext,
} from '@lp-auth/core';

export type { LpRequestContext };

declare module 'fastify' {
  interface FastifyInstance {
    /** The wired core (`app.lp.clients`, `app.lp.client('appJwt')`), set by the plugin. */
    lp: LpAuth;
  }
  interface FastifyRequest {
    /** Set on every request by the plugin; null before it runs. */
    lp: LpRequestContext | null;
  }
}

/** Options of the plugin: the core's options, or an already built `LpAuth` as `{ lp }`. */
export type LpAuthPluginOptions = LpAuthOptions | { lp: LpAuth };

/** Sends an `@lp-auth` error as its status, headers and JSON body; for apps with their own error handler. */
export function sendLpError(error: LpAuthError, reply: FastifyReply): FastifyReply {
  const { status, headers, body } = httpErrorResponse(error);
  return reply.code(status).headers(headers).send(body);
}

const plugin: FastifyPluginAsync<LpAuthPluginOptions> = async (app: FastifyInstance, options) => {
  const given = 'lp' in options ? options.lp : undefined;
  // Fastify passes its own keys too (prefix, logLevel); the core must see only its options.
  const { lp, owned } = adapterLpAuth(given ?? coreOptions(options as LpAuthOptions));
  const context = lpRequestContext(lp);
  app.decorate('lp', lp);
  app.decorateRequest('lp', null);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    request.lp = context;
  });
  // @lp-auth errors answer with their own status and headers; everything else keeps Fastify's handling.
  const previous = app.errorHandler;
  app.setErrorHandler(function (this: FastifyInstance, error: FastifyError, request, reply) {
    if (error instanceof LpAuthError) return sendLpError(error, reply);
    return previous.call(this, error, request, reply);
  });
  if (owned) app.addHook('onClose', async () => lp.close());
};

function coreOptions(options: LpAuthOptions): LpAuthOptions | undefined {
  const {
    prefix: _prefix,
    logLevel: _logLevel,
    ...rest
  } = options as LpAuthOptions & {
    prefix?: unknown;
    logLevel?: unknown;
  };
  return Object.keys(rest).length === 0 ? undefined : rest;
}

/**
 * The Fastify plugin: `app.register(lpAuth, options)`. It builds the core once (a bad option fails
 * `register`), exposes it as `app.lp`, sets `request.lp` on every request, answers `@lp-auth` errors
 * with their status and headers, and closes the core when the app closes (when it built it).
 * Without options it reads the `LP_*` environment variables.
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
