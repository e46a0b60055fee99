import Fastify, { type FastifyInstance, type preHandlerAsyncHookHandler } from 'fastify';
import fastifyJwt from '@fastify/jwt';
import buildGetJwks from 'get-jwks';
import { silentLogger, type ConsumerIdentity } from '@lp-auth/core';
import { adapterExport } from './listen.js';
import { AdapterPending, ROUTE, SAME_TOKEN_SUB, type IdpInfo, type Listening, type Variant } from './spec.js';

type RequireConsumerFastify = () => preHandlerAsyncHookHandler;

/** The Fastify app of one variant; the peer is @fastify/jwt with get-jwks, as its README shows. */
export async function fastifyApp(variant: Variant, idp: IdpInfo): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  switch (variant) {
    case 'bare':
      app.get(ROUTE, async () => ({ sub: SAME_TOKEN_SUB }));
      break;
    case 'noop':
      app.addHook('onRequest', async () => {});
      app.get(ROUTE, { preHandler: async () => {} }, async () => ({ sub: SAME_TOKEN_SUB }));
      break;
    case 'ours': {
      const adapter = (await import('@lp-auth/fastify')) as Record<string, unknown>;
      const requireConsumer = await adapterExport<RequireConsumerFastify>(
        '@lp-auth/fastify',
        'requireConsumer',
      );
      if (!requireConsumer) throw new AdapterPending('@lp-auth/fastify has no requireConsumer yet');
      await app.register(adapter.lpAuth as never, {
        accountId: '12345678',
        logger: silentLogger,
        consumer: { issuer: idp.issuer, jwksUri: idp.jwksUri, audience: idp.audience },
      });
      app.get(ROUTE, { preHandler: requireConsumer() }, async (request) => ({
        sub: (request.lp as unknown as { consumer: ConsumerIdentity }).consumer.sub,
      }));
      break;
    }
    case 'fastify-jwt': {
      const getJwks = buildGetJwks({ jwksPath: new URL(idp.jwksUri).pathname });
      await app.register(fastifyJwt, {
        decode: { complete: true },
        secret: (_request: unknown, token: unknown) => {
          const { header, payload } = token as {
            header: { kid: string; alg: string };
            payload: { iss: string };
          };
          return getJwks.getPublicKey({ kid: header.kid, domain: payload.iss, alg: header.alg });
        },
        verify: { allowedIss: idp.issuer, allowedAud: idp.audience, algorithms: ['RS256'] },
      });
      app.get(
        ROUTE,
        {
          onRequest: async (request) => {
            await request.jwtVerify();
          },
        },
        async (request) => ({ sub: (request.user as { sub: string }).sub }),
      );
      break;
    }
    default:
      throw new Error(`no Fastify variant ${variant}`);
  }
  return app;
}

export async function startFastify(variant: Variant, idp: IdpInfo): Promise<Listening> {
  const app = await fastifyApp(variant, idp);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () => app.close(),
  };
}
